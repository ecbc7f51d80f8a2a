// orgtwin-load: a closed-loop HTTP/1.1 load generator for comparing orgtwin, moto_server and the
// fixed-response ceiling server on the same machine.
//
//   orgtwin-load --url http://127.0.0.1:PORT [--url ...] --connections C --duration-seconds S
//                --threads T --request-file F [--warmup-seconds W] [--json]
//   orgtwin-load --url ... --request-file F --once [--warmup-requests K] [--json]
//   orgtwin-load sign --access-key K --secret S --region us-east-1 --service sts
//                --body 'Action=GetCallerIdentity&Version=2011-06-15' --host 127.0.0.1:PORT --out F
//                [--count N [--first I]]
//   orgtwin-load sign ... --service iam --operation CreateRole --input '{"RoleName": "r{n}", ...}'
//
// Load: the raw requests in F (one or more complete HTTP/1.1 requests back to back) are replayed
// round-robin over C keep-alive connections spread over T threads, one request in flight per
// connection (no pipelining), for W seconds of warm-up and then S measured seconds. With several
// --url (nodes of one twin), connection i goes to the (i mod n)-th: a request signed for one
// node's Host is valid on every node, since SigV4 covers the header as sent. A request is
// counted in the measurement when it was sent after the warm-up and answered before the end. The
// latency of a request runs from the start of its write to the last byte of its response.
// Transport failures (connect/read/write errors, malformed responses) are `errors`; complete
// responses with a status outside 2xx are `non_2xx`. Both are excluded from the latency figures.
//
// Once (--once): for operations whose inputs must be unique (CreateRole, CreateAccount), every
// request in F is sent exactly once, handed out in file order from one shared cursor to whichever
// connection is free; the first K (--warmup-requests) are warm-up and not counted. The run ends
// when every request is answered (or after --duration-seconds, a safety cap); req/s is the number
// of measured 2xx responses over the time from the first measured send to the last answer.
//
// Sign: builds one request with the client library (orgtwin::client) and writes it raw to --out:
// either --body as given (Client::Sign adds the SigV4 headers) or --operation/--input, serialized
// from the neutral JSON input by the service's own protocol (Client::Prepare). The signature
// stays valid for 15 minutes (the server's clock-skew window), enough for a run. With --count N
// it writes N requests back to back, the i-th (i = --first .. --first+N-1) with every `{n}` in
// --body, --input and --path replaced by i, each signed on its own. Requests are built and
// signed before the load starts, so the library adds nothing to the measured path.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "client/client.h"
#include "common/clock.h"
#include "common/http_message.h"

namespace orgtwin::load {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Parses a response and throws the body away: the harness must not spend its (shared) CPU on
// building strings the measurement never looks at.
class DiscardingResponseParser final : public http::basic_parser<false> {
 public:
  int status() const { return status_; }

 private:
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override {
    status_ = code;
  }
  void on_field_impl(http::field, boost::beast::string_view, boost::beast::string_view,
                     error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<uint64_t>&, error_code&) override {}
  size_t on_body_impl(boost::beast::string_view body, error_code&) override { return body.size(); }
  void on_chunk_header_impl(uint64_t, boost::beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(uint64_t, boost::beast::string_view body, error_code&) override {
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  int status_ = 0;
};

struct Target {
  std::string host;
  std::string port;
};

std::optional<Target> ParseUrl(std::string url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  url.erase(0, scheme.size());
  url = url.substr(0, url.find('/'));
  size_t colon = url.rfind(':');
  if (colon == std::string::npos) return Target{url, "80"};
  return Target{url.substr(0, colon), url.substr(colon + 1)};
}

// Splits a file of back-to-back raw HTTP requests into one string per request.
bool SplitRequests(const std::string& data, std::vector<std::string>* out, std::string* error) {
  size_t offset = 0;
  while (offset < data.size()) {
    // Tolerate blank lines between requests (and at the end of a hand-edited file).
    while (offset < data.size() && (data[offset] == '\r' || data[offset] == '\n')) ++offset;
    if (offset >= data.size()) break;
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(boost::none);
    size_t start = offset;
    error_code ec;
    while (!parser.is_done()) {
      size_t used = parser.put(asio::buffer(data.data() + offset, data.size() - offset), ec);
      offset += used;
      if (ec || used == 0) break;
    }
    if (!parser.is_done()) {
      *error = "request " + std::to_string(out->size() + 1) +
               " in the request file is incomplete or malformed" +
               (ec ? " (" + ec.message() + ")" : std::string());
      return false;
    }
    out->push_back(data.substr(start, offset - start));
  }
  if (out->empty()) {
    *error = "the request file holds no request";
    return false;
  }
  return true;
}

struct ThreadStats {
  std::vector<uint32_t> latencies_us;  // successful (2xx) measured requests
  uint64_t non_2xx = 0;
  uint64_t errors = 0;
  // --once: first measured send and last measured answer seen by this thread.
  std::optional<SteadyClock::time_point> first_measured_send;
  std::optional<SteadyClock::time_point> last_measured_answer;
};

struct RunConfig {
  std::vector<std::string> requests;
  std::vector<tcp::resolver::results_type> endpoints;  // one per --url
  SteadyClock::time_point measure_start;
  SteadyClock::time_point end;
  bool once = false;
  size_t warmup_requests = 0;
  // --once: the next request to hand out, shared by every connection of every thread.
  mutable std::atomic<size_t> cursor{0};
};

// One keep-alive connection driving requests back to back.
class Connection {
 public:
  // `active` counts the thread's running connections; the last one to finish cancels
  // `stopper` (the thread's safety-net timer) so the thread's run() returns right at the end.
  Connection(asio::io_context& context, const RunConfig& config, ThreadStats& stats,
             const tcp::resolver::results_type& endpoints, size_t first_request, int* active,
             asio::steady_timer* stopper)
      : socket_(context),
        backoff_(context),
        config_(config),
        endpoints_(endpoints),
        stats_(stats),
        next_request_(first_request),
        active_(active),
        stopper_(stopper) {}

  void Start() { Connect(); }

 private:
  bool InWindow(SteadyClock::time_point sent) const {
    if (config_.once) return measured_ && SteadyClock::now() <= config_.end;
    return sent >= config_.measure_start && SteadyClock::now() <= config_.end;
  }

  void Done() {
    error_code ignored;
    socket_.close(ignored);
    if (--*active_ == 0) stopper_->cancel();
  }

  void Connect() {
    if (SteadyClock::now() >= config_.end) {
      Done();
      return;
    }
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
    asio::async_connect(socket_, endpoints_, [this](const error_code& ec, const tcp::endpoint&) {
      if (ec) {
        Fail(SteadyClock::now());
        return;
      }
      error_code ignored2;
      socket_.set_option(tcp::no_delay(true), ignored2);
      Send();
    });
  }

  // Counts a failure and reconnects after a short pause, so a dead server is not spun on.
  void Fail(SteadyClock::time_point sent) {
    if (InWindow(sent)) ++stats_.errors;
    error_code ignored;
    socket_.close(ignored);
    backoff_.expires_after(std::chrono::milliseconds(10));
    backoff_.async_wait([this](const error_code& ec) {
      if (!ec) Connect();
    });
  }

  void Send() {
    sent_ = SteadyClock::now();
    if (sent_ >= config_.end) {
      Done();
      return;
    }
    size_t index = next_request_;
    if (config_.once) {
      index = config_.cursor.fetch_add(1, std::memory_order_relaxed);
      if (index >= config_.requests.size()) {
        Done();
        return;
      }
      measured_ = index >= config_.warmup_requests;
      if (measured_ && (!stats_.first_measured_send || sent_ < *stats_.first_measured_send)) {
        stats_.first_measured_send = sent_;
      }
    } else {
      next_request_ = (next_request_ + 1) % config_.requests.size();
    }
    const std::string& request = config_.requests[index];
    parser_.emplace();
    parser_->eager(true);
    parser_->body_limit(boost::none);
    parser_->header_limit(1024 * 1024);
    asio::async_write(socket_, asio::buffer(request), [this](const error_code& ec, size_t) {
      if (ec) {
        Fail(sent_);
        return;
      }
      Parse();
    });
  }

  void Read() {
    auto space = buffer_.prepare(size_t{16} * 1024);
    socket_.async_read_some(space, [this](const error_code& ec, size_t n) {
      if (ec) {
        Fail(sent_);
        return;
      }
      buffer_.commit(n);
      Parse();
    });
  }

  void Parse() {
    error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) break;
    }
    if (ec) {
      Fail(sent_);
      return;
    }
    if (!parser_->is_done()) {
      Read();
      return;
    }
    if (InWindow(sent_)) {
      int status = parser_->status();
      auto answered = SteadyClock::now();
      if (config_.once) stats_.last_measured_answer = answered;
      if (status >= 200 && status < 300) {
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(answered - sent_);
        stats_.latencies_us.push_back(
            static_cast<uint32_t>(std::min<int64_t>(micros.count(), UINT32_MAX)));
      } else {
        ++stats_.non_2xx;
      }
    }
    if (!parser_->keep_alive()) {
      Connect();
      return;
    }
    Send();
  }

  tcp::socket socket_;
  asio::steady_timer backoff_;
  const RunConfig& config_;
  const tcp::resolver::results_type& endpoints_;  // the node this connection talks to
  ThreadStats& stats_;
  size_t next_request_;
  boost::beast::flat_buffer buffer_;
  std::optional<DiscardingResponseParser> parser_;
  SteadyClock::time_point sent_;
  bool measured_ = false;  // --once: the request in flight is past the warm-up
  int* active_;
  asio::steady_timer* stopper_;
};

uint32_t Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(std::llround(p * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(index, sorted.size() - 1)];
}

struct LoadOptions {
  std::vector<std::string> urls;
  int connections = 16;
  double duration_seconds = 10;
  double warmup_seconds = 1;
  int threads = 2;
  std::string request_file;
  bool json = false;
  bool once = false;
  size_t warmup_requests = 0;
};

int RunLoad(const LoadOptions& options) {
  std::vector<Target> targets;
  for (const std::string& url : options.urls) {
    auto target = ParseUrl(url);
    if (!target) {
      std::cerr << "orgtwin-load: --url must look like http://HOST:PORT\n";
      return 2;
    }
    targets.push_back(*target);
  }
  std::ifstream in(options.request_file, std::ios::binary);
  if (!in) {
    std::cerr << "orgtwin-load: cannot read " << options.request_file << "\n";
    return 2;
  }
  std::stringstream contents;
  contents << in.rdbuf();
  RunConfig config;
  std::string error;
  if (!SplitRequests(contents.str(), &config.requests, &error)) {
    std::cerr << "orgtwin-load: " << error << "\n";
    return 2;
  }
  {
    asio::io_context resolve_context;
    tcp::resolver resolver(resolve_context);
    for (const Target& target : targets) {
      error_code ec;
      config.endpoints.push_back(resolver.resolve(target.host, target.port, ec));
      if (ec) {
        std::cerr << "orgtwin-load: cannot resolve " << target.host << ": " << ec.message() << "\n";
        return 2;
      }
    }
  }

  const int threads = std::max(1, options.threads);
  const int connections = std::max(1, options.connections);
  config.once = options.once;
  config.warmup_requests = options.warmup_requests;
  if (config.once && config.warmup_requests >= config.requests.size()) {
    std::cerr << "orgtwin-load: --warmup-requests must be below the number of requests ("
              << config.requests.size() << ")\n";
    return 2;
  }
  auto begin = SteadyClock::now();
  // In --once mode the warm-up is counted in requests, not seconds.
  config.measure_start =
      begin + std::chrono::duration_cast<SteadyClock::duration>(
                  std::chrono::duration<double>(config.once ? 0.0 : options.warmup_seconds));
  config.end = config.measure_start + std::chrono::duration_cast<SteadyClock::duration>(
                                          std::chrono::duration<double>(options.duration_seconds));

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<ThreadStats> stats(static_cast<size_t>(threads));
  std::vector<std::unique_ptr<Connection>> conns;
  contexts.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  const double expected_rate = 200000.0 / threads;  // generous reservation, avoids regrowth
  for (auto& s : stats) {
    s.latencies_us.reserve(config.once
                               ? config.requests.size()
                               : static_cast<size_t>(expected_rate * options.duration_seconds));
  }
  // A stuck server must not hang the harness: whatever is unanswered 2 s after the end is dropped.
  std::vector<std::unique_ptr<asio::steady_timer>> stoppers;
  std::vector<int> active(static_cast<size_t>(threads), 0);
  for (auto& context : contexts) {
    stoppers.push_back(std::make_unique<asio::steady_timer>(*context));
    stoppers.back()->expires_at(config.end + std::chrono::seconds(2));
    asio::io_context* raw = context.get();
    stoppers.back()->async_wait([raw](const error_code& ec) {
      if (!ec) raw->stop();
    });
  }
  for (int c = 0; c < connections; ++c) {
    size_t t = static_cast<size_t>(c % threads);
    ++active[t];
    conns.push_back(std::make_unique<Connection>(
        *contexts[t], config, stats[t],
        config.endpoints[static_cast<size_t>(c) % config.endpoints.size()],
        static_cast<size_t>(c) % config.requests.size(), &active[t], stoppers[t].get()));
    conns.back()->Start();
  }
  std::vector<std::thread> workers;
  for (auto& context : contexts) {
    asio::io_context* raw = context.get();
    workers.emplace_back([raw] { raw->run(); });
  }
  for (auto& worker : workers) worker.join();

  std::vector<uint32_t> all;
  uint64_t non_2xx = 0;
  uint64_t errors = 0;
  for (auto& s : stats) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    non_2xx += s.non_2xx;
    errors += s.errors;
  }
  std::sort(all.begin(), all.end());
  double seconds = options.duration_seconds;
  if (config.once) {
    std::optional<SteadyClock::time_point> first;
    std::optional<SteadyClock::time_point> last;
    for (auto& s : stats) {
      if (s.first_measured_send && (!first || *s.first_measured_send < *first)) {
        first = s.first_measured_send;
      }
      if (s.last_measured_answer && (!last || *s.last_measured_answer > *last)) {
        last = s.last_measured_answer;
      }
    }
    seconds = first && last ? std::chrono::duration<double>(*last - *first).count() : 0.0;
  }
  const double rps = seconds > 0 ? static_cast<double>(all.size()) / seconds : 0.0;
  std::string urls;  // as reported: the --url values, space-separated
  for (const std::string& url : options.urls) urls += (urls.empty() ? "" : " ") + url;
  const uint32_t p50 = Percentile(all, 0.50);
  const uint32_t p90 = Percentile(all, 0.90);
  const uint32_t p99 = Percentile(all, 0.99);
  const uint32_t max = all.empty() ? 0 : all.back();

  if (options.json) {
    std::printf(
        "{\"url\":\"%s\",\"mode\":\"%s\",\"connections\":%d,\"threads\":%d,"
        "\"duration_seconds\":%g,\"warmup_seconds\":%g,\"warmup_requests\":%zu,"
        "\"request_kinds\":%zu,\"requests\":%zu,"
        "\"requests_per_second\":%.1f,\"latency_us\":{\"p50\":%u,\"p90\":%u,\"p99\":%u,"
        "\"max\":%u},\"non_2xx\":%llu,\"errors\":%llu}\n",
        urls.c_str(), config.once ? "once" : "closed-loop", connections, threads, seconds,
        config.once ? 0.0 : options.warmup_seconds, config.warmup_requests, config.requests.size(),
        all.size(), rps, p50, p90, p99, max, static_cast<unsigned long long>(non_2xx),
        static_cast<unsigned long long>(errors));
  } else {
    std::printf("url           %s\n", urls.c_str());
    if (config.once) {
      std::printf(
          "load          %d connections on %d threads, each of %zu requests once "
          "(first %zu warm-up), %g s measured\n",
          connections, threads, config.requests.size(), config.warmup_requests, seconds);
    } else {
      std::printf("load          %d connections on %d threads, %g s (+%g s warm-up)\n", connections,
                  threads, options.duration_seconds, options.warmup_seconds);
    }
    std::printf("requests      %zu (2xx)\n", all.size());
    std::printf("requests/s    %.1f\n", rps);
    std::printf("latency (us)  p50 %u  p90 %u  p99 %u  max %u\n", p50, p90, p99, max);
    std::printf("non-2xx       %llu\n", static_cast<unsigned long long>(non_2xx));
    std::printf("errors        %llu\n", static_cast<unsigned long long>(errors));
  }
  return 0;
}

struct SignOptions {
  std::string access_key;
  std::string secret;
  std::string session_token;
  std::string region = "us-east-1";
  std::string service = "sts";
  std::string method = "POST";
  std::string path = "/";
  std::string content_type = "application/x-www-form-urlencoded; charset=utf-8";
  std::vector<std::string> headers;  // extra "Name: value", e.g. X-Amz-Target for JSON APIs
  std::string body;
  std::string operation;  // with --input: serialize through the model instead of --body
  std::string input = "{}";
  std::string host;
  std::string out;
  size_t count = 1;
  size_t first = 0;
};

std::string ReplaceCounter(std::string text, const std::string& value) {
  const std::string placeholder = "{n}";
  for (size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

// Returns the raw signed request, or an empty string after printing a usage error.
std::string SignOne(const SignOptions& options, const client::Client& client,
                    const std::string& counter, TimePoint now) {
  HttpRequest request;
  if (!options.operation.empty()) {
    boost::json::error_code ec;
    boost::json::value input = boost::json::parse(ReplaceCounter(options.input, counter), ec);
    if (ec || !input.is_object()) {
      std::cerr << "orgtwin-load sign: --input must be a JSON object\n";
      return {};
    }
    // Prepare signs at the client's clock, which RunSign pins to `now`.
    auto prepared = client.Prepare(options.service, options.operation, input.get_object());
    if (!prepared.ok()) {
      std::cerr << "orgtwin-load sign: " << prepared.status().ToString() << "\n";
      return {};
    }
    request = std::move(prepared).value();
  } else {
    request.method = options.method;
    request.target = ReplaceCounter(options.path, counter);
    request.headers.emplace_back("Host", options.host);
    if (!options.body.empty() || options.method == "POST") {
      request.headers.emplace_back("Content-Type", options.content_type);
    }
  }
  for (const std::string& header : options.headers) {
    size_t colon = header.find(':');
    if (colon == std::string::npos) {
      std::cerr << "orgtwin-load sign: --header must be `Name: value`\n";
      return {};
    }
    std::string value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    request.headers.emplace_back(header.substr(0, colon), value);
  }
  if (options.operation.empty()) {
    request.body = ReplaceCounter(options.body, counter);
    if (Status signed_ok = client.Sign(request, options.service, now); !signed_ok.ok()) {
      std::cerr << "orgtwin-load sign: " << signed_ok.ToString() << "\n";
      return {};
    }
  }
  // Content-Length is framing, added after signing (as the AWS SDKs leave it unsigned).
  request.headers.emplace_back("Content-Length", std::to_string(request.body.size()));

  std::string raw = request.method + " " + request.target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : request.headers)
    raw.append(name).append(": ").append(value).append("\r\n");
  raw += "\r\n";
  raw += request.body;
  return raw;
}

int RunSign(const SignOptions& options) {
  std::ofstream out(options.out, std::ios::binary | std::ios::trunc);
  // One timestamp for the whole file: every request stays valid for the same 15 minutes.
  FakeClock clock(SystemClock().Now());
  client::ClientOptions client_options;
  client_options.region = options.region;
  client_options.endpoint_url = "http://" + options.host;
  client_options.credentials = {options.access_key, options.secret, options.session_token};
  client_options.clock = &clock;
  // No transport: this client only builds and signs; the load loop sends the raw bytes.
  const client::Client client(client_options, nullptr);
  for (size_t i = 0; i < std::max<size_t>(1, options.count); ++i) {
    std::string raw = SignOne(options, client, std::to_string(options.first + i), clock.Now());
    if (raw.empty()) return 2;
    out << raw;
  }
  out.flush();
  if (!out) {
    std::cerr << "orgtwin-load sign: cannot write " << options.out << "\n";
    return 2;
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"orgtwin-load: closed-loop HTTP load generator"};
  LoadOptions load;
  app.add_option("--url", load.urls, "http://HOST:PORT; repeat for several nodes of one twin");
  app.add_option("--connections", load.connections, "keep-alive connections")
      ->capture_default_str();
  app.add_option("--duration-seconds", load.duration_seconds, "measured duration")
      ->capture_default_str();
  app.add_option("--warmup-seconds", load.warmup_seconds, "warm-up before measuring")
      ->capture_default_str();
  app.add_option("--threads", load.threads, "client I/O threads")->capture_default_str();
  app.add_option("--request-file", load.request_file, "raw HTTP/1.1 request(s) to replay");
  app.add_flag("--json", load.json, "print one JSON object");
  app.add_flag("--once", load.once, "send each request of the file exactly once, then stop");
  app.add_option("--warmup-requests", load.warmup_requests,
                 "--once: how many of the first requests are warm-up (not measured)")
      ->capture_default_str();

  SignOptions sign;
  CLI::App* sign_cmd = app.add_subcommand("sign", "write a SigV4-signed raw request");
  sign_cmd->add_option("--access-key", sign.access_key)->required();
  sign_cmd->add_option("--secret", sign.secret)->required();
  sign_cmd->add_option("--session-token", sign.session_token);
  sign_cmd->add_option("--region", sign.region)->capture_default_str();
  sign_cmd->add_option("--service", sign.service)->capture_default_str();
  sign_cmd->add_option("--method", sign.method)->capture_default_str();
  sign_cmd->add_option("--path", sign.path, "request-target")->capture_default_str();
  sign_cmd->add_option("--content-type", sign.content_type)->capture_default_str();
  sign_cmd->add_option("--header", sign.headers, "extra `Name: value` header (repeatable)");
  sign_cmd->add_option("--body", sign.body);
  sign_cmd->add_option("--operation", sign.operation,
                       "serialize this operation of --service from --input (instead of --body)");
  sign_cmd->add_option("--input", sign.input, "the operation's input as a JSON object")
      ->capture_default_str();
  sign_cmd->add_option("--host", sign.host, "Host header, e.g. 127.0.0.1:4566")->required();
  sign_cmd->add_option("--out", sign.out)->required();
  sign_cmd->add_option("--count", sign.count, "write N requests, `{n}` in --body/--path = index")
      ->capture_default_str();
  sign_cmd->add_option("--first", sign.first, "index of the first request with --count")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (sign_cmd->parsed()) return RunSign(sign);
  if (load.urls.empty() || load.request_file.empty()) {
    std::cerr << "orgtwin-load: --url and --request-file are required (or use `sign`)\n"
              << app.help();
    return 2;
  }
  return RunLoad(load);
}

}  // namespace
}  // namespace orgtwin::load

int main(int argc, char** argv) {
  try {
    return orgtwin::load::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "orgtwin-load: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "orgtwin-load: unknown exception\n";
  }
  return 1;
}
