// HttpServer: Boost.Beast's HTTP/1.1 parser over plain Asio sockets.
//
// Threading: one io_context per I/O thread (concurrency hint 1, so its scheduler takes no lock),
// plus one small acceptor thread that hands each accepted socket round-robin to a worker. Chosen
// over one shared io_context run by N threads because, under keep-alive load, a shared context
// sends every completion through one scheduler mutex and lets a connection's handlers hop between
// cores (cache misses on its buffers, and a strand or lock for any per-connection state touched
// by timers); with a context per thread a connection lives on one thread for its whole life and
// nothing on the request path is shared. The cost is that a Handler which blocks stalls only the
// connections of its own thread instead of being absorbed by the others; our Handlers do short
// storage commits. Round-robin at accept time (rather than SO_REUSEPORT listeners) keeps the
// spread even with few connections, which is the benchmark and CLI case. The acceptor has its own
// thread so Stop() can close it promptly even while every worker is busy inside a Handler.
// TODO: confirm against a shared-context variant with bench/load (not yet measured head to head).
//
// Per connection there is no coroutine frame and no std::function: handlers capture only the
// Session pointer (Asio's recycling allocator serves them), the parser writes straight into the
// HttpRequest that the Handler receives, and the response head is serialized into a per-session
// buffer that keeps its capacity, then written together with the body in one gather write.
//
// HTTPS (ServerOptions::tls_cert_file) is the same Session over an Asio ssl::stream: Session is a
// template over its stream, so the plain HTTP path is compiled exactly as before (a tcp::socket,
// no TLS branch at run time); only what the sweep and Stop() do to every session (deadlines, stop,
// deferred answers) goes through SessionBase's virtual functions, off the request path.
//
// Timeouts use one sweep timer per worker rather than a timer per connection: a request then
// costs one steady_clock read per phase instead of a timer cancel + re-arm (each of which is an
// extra completion). The sweep runs every min(read, idle timeout)/8, clamped to [5 ms, 1 s].
#include "server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/log.h"

namespace orgtwin::server {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;
using boost::system::error_code;
using SteadyTime = std::chrono::steady_clock::time_point;

// Reads are issued with at least this much free buffer space; a typical signed AWS request
// (headers ~1 KiB, small form body) arrives in one read.
constexpr size_t kReadChunk = size_t{16} * 1024;
// After an error response we stop sending but keep reading (and discarding) for a short while,
// so the client sees our 4xx instead of a TCP reset caused by its unread request bytes.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerMaxBytes = size_t{1024} * 1024;

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t'; }

bool ContainsToken(std::string_view list, std::string_view token) {
  // A comma-separated header list, e.g. "100-continue" or "keep-alive, Upgrade".
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    while (!item.empty() && IsAsciiSpace(item.front())) item.remove_prefix(1);
    while (!item.empty() && IsAsciiSpace(item.back())) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    pos = comma + 1;
  }
  return false;
}

// Formats the HTTP Date header value; cached per thread and refreshed once a second.
std::string_view HttpDate() {
  thread_local char buffer[64];
  thread_local size_t length = 0;
  thread_local time_t cached = 0;
  time_t now = ::time(nullptr);
  if (now != cached || length == 0) {
    struct tm tm_utc;
    ::gmtime_r(&now, &tm_utc);
    length = ::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm_utc);
    cached = now;
  }
  return std::string_view(buffer, length);
}

std::string_view ReasonPhrase(int status) {
  http::status s = http::int_to_status(static_cast<unsigned>(status));
  if (s == http::status::unknown) return "Unknown";
  return http::obsolete_reason(s);
}

void AppendInt(std::string& out, uint64_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out.push_back(digits[--n]);
}

// Header fields the server itself owns; a Handler's copies are dropped.
bool IsServerOwnedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Date") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Transfer-Encoding");
}

// Appends `value` with CR and LF replaced by spaces: a Handler must never be able to split the
// response, whatever ends up in a header value.
void AppendHeaderText(std::string& out, std::string_view value) {
  for (char c : value) out.push_back((c == '\r' || c == '\n') ? ' ' : c);
}

// A request parser that writes straight into an HttpRequest: no beast::http::fields in between,
// so each header costs exactly the two strings the Handler receives.
class RequestParser final : public http::basic_parser<true> {
 public:
  HttpRequest& request() { return request_; }
  bool expect_continue() const { return expect_continue_; }
  int version() const { return version_; }

 private:
  void on_request_impl(http::verb, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version, error_code&) override {
    version_ = version;
    request_.method.assign(method_str.data(), method_str.size());
    request_.target.assign(target.data(), target.size());
    request_.headers.reserve(16);
  }
  void on_response_impl(int, boost::beast::string_view, int, error_code&) override {}
  void on_field_impl(http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, error_code&) override {
    if (name == http::field::expect && ContainsToken(value, "100-continue")) {
      expect_continue_ = true;
    }
    request_.headers.emplace_back(std::string(name_string.data(), name_string.size()),
                                  std::string(value.data(), value.size()));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<uint64_t>& content_length, error_code&) override {
    // body_limit() has already rejected a Content-Length over the limit.
    if (content_length) request_.body.reserve(static_cast<size_t>(*content_length));
  }
  size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(uint64_t, boost::beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(uint64_t, boost::beast::string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  HttpRequest request_;
  int version_ = 11;
  bool expect_continue_ = false;
};

struct Worker;
class SessionBase;

// State shared by the acceptor, the workers and the controlling thread.
struct Shared {
  const ServerOptions options;
  const AsyncHandler handler;
  std::atomic<bool> stopping{false};
  std::atomic<int> live_sessions{0};
  std::mutex mutex;
  std::condition_variable sessions_done;

  Shared(ServerOptions o, AsyncHandler h) : options(std::move(o)), handler(std::move(h)) {}

  void SessionEnded() {
    if (live_sessions.fetch_sub(1) == 1 && stopping.load()) {
      std::lock_guard<std::mutex> lock(mutex);
      sessions_done.notify_all();
    }
  }
};

// One I/O thread: its io_context and the sessions living on it. Everything but `context` and
// `thread` is touched only from that thread.
struct Worker {
  asio::io_context context{1};
  asio::steady_timer sweep_timer{context};
  SessionBase* sessions = nullptr;  // intrusive list of live sessions on this worker
  std::thread thread;
  bool stopping = false;
};

// The link from a deferred request back to its Session, shared with whoever completes it.
// Created once per connection (on its first deferral) and reused: a connection has at most one
// request in flight. The Session clears `session` when it dies; Complete then drops the response.
struct SessionLink final : PendingResponse, std::enable_shared_from_this<SessionLink> {
  std::mutex mutex;
  SessionBase* session = nullptr;  // GUARDED_BY(mutex); null once the session is gone
  Worker* worker = nullptr;

  void Complete(std::function<HttpResponse()> make) override;
};

// What every connection offers its worker (the sweep, Stop()) and a deferred answer, whatever its
// stream: the intrusive list, the deferral link, and the three entry points from outside.
class SessionBase : public Deferral {
 public:
  enum class Phase {
    kHandshaking,  // TLS only: the handshake (read_timeout)
    kIdle,         // waiting for the first byte of a request (idle_timeout)
    kReading,      // part of a request has arrived (read_timeout from its first byte)
    kHandling,     // a deferred request: waiting for its PendingResponse (no timeout: ours)
    kWriting,      // writing a response (read_timeout, so a client that never reads is dropped)
    kLingering     // error response sent, discarding input until EOF before closing
  };

  SessionBase(Shared& shared, Worker& worker) : shared_(shared), worker_(worker) {
    next_ = worker_.sessions;
    if (next_ != nullptr) next_->prev_ = this;
    worker_.sessions = this;
  }

  ~SessionBase() override {
    if (link_ != nullptr) {
      std::lock_guard<std::mutex> lock(link_->mutex);
      link_->session = nullptr;
    }
    if (prev_ != nullptr) prev_->next_ = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    if (worker_.sessions == this) worker_.sessions = next_;
    shared_.SessionEnded();
  }

  SessionBase* next() const { return next_; }

  // Deferral: the Handler answers later through the returned PendingResponse.
  std::shared_ptr<PendingResponse> Defer() override {
    deferred_ = true;
    if (link_ == nullptr) {
      link_ = std::make_shared<SessionLink>();
      link_->session = this;
      link_->worker = &worker_;
    }
    return link_;
  }

  // The deferred request's answer, on this session's I/O thread.
  virtual void OnDeferredResponse(std::function<HttpResponse()>& make) = 0;
  // Called by the worker's sweep: enforces the deadline of the current phase.
  virtual void CheckDeadline(SteadyTime now) = 0;
  // Called on Stop(): an idle connection closes now (unless a request is already waiting in the
  // socket); a busy one finishes its current request and then closes.
  virtual void OnServerStop() = 0;

 protected:
  void DetachLink() {
    std::lock_guard<std::mutex> lock(link_->mutex);
    link_->session = nullptr;
    link_.reset();
  }

  Shared& shared_;
  Worker& worker_;
  std::shared_ptr<SessionLink> link_;  // created on the first deferral
  bool deferred_ = false;              // the current request's Handler called Defer()

 private:
  SessionBase* prev_ = nullptr;
  SessionBase* next_ = nullptr;
};

// One connection over `Stream` (tcp::socket, or TlsStream for HTTPS). It owns itself: it is
// created on its worker's thread and deletes itself when its last operation completes without
// starting another.
// INVARIANT: at most one read or write is outstanding at any time, and none while a deferred
// request is being handled; every completion handler either starts the next operation or calls
// Destroy().
template <typename Stream>
class Session final : public SessionBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  Session(Shared& shared, Worker& worker, Stream stream)
      : SessionBase(shared, worker), stream_(std::move(stream)) {
    error_code ec;
    tcp::endpoint remote = socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
    buffer_.reserve(kReadChunk);
  }

  void Start() {
    if (worker_.stopping) {
      Destroy();
      return;
    }
    if constexpr (kTls) {
      phase_ = Phase::kHandshaking;
      SetDeadline(shared_.options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [this](const error_code& ec) {
        // A client that does not speak TLS (or refuses our certificate) gets nothing more.
        if (ec || timed_out_) {
          Destroy();
          return;
        }
        WaitForRequest();
      });
    } else {
      WaitForRequest();
    }
  }

  void OnDeferredResponse(std::function<HttpResponse()>& make) override {
    try {
      response_ = make();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, std::string("deferred response threw: ") + e.what());
      response_ = HttpResponse{500, {}, {}};
    }
    FinishRequest();
  }

  void CheckDeadline(SteadyTime now) override {
    if (phase_ == Phase::kHandling) return;  // our own work, not the client's
    if (now < deadline_ || timed_out_) return;
    timed_out_ = true;
    error_code ignored;
    if (phase_ == Phase::kReading) {
      // The read handler sees operation_aborted and answers 408.
      socket().cancel(ignored);
    } else {
      // Handshaking, idle, writing or lingering: nothing more to say to this client.
      socket().close(ignored);
    }
  }

  void OnServerStop() override {
    stop_requested_ = true;
    error_code ec;
    if (phase_ == Phase::kIdle && buffer_.size() == 0 && socket().available(ec) == 0 &&
        !TlsPending()) {
      socket().close(ec);
    }
  }

 private:
  void Destroy() { delete this; }

  // The TCP socket under the stream (itself for plain HTTP).
  tcp::socket& socket() { return boost::beast::get_lowest_layer(stream_); }

  // Whether TLS has decrypted bytes of a next request that the socket no longer shows.
  bool TlsPending() {
    if constexpr (kTls) {
      return SSL_pending(stream_.native_handle()) > 0;
    } else {
      return false;
    }
  }

  void SetDeadline(std::chrono::milliseconds timeout) {
    timed_out_ = false;
    deadline_ = std::chrono::steady_clock::now() + timeout;
  }

  // Begins a new request: parses what is already buffered (pipelining) or waits for bytes.
  void WaitForRequest() {
    if (stop_requested_ && buffer_.size() == 0) {
      Destroy();
      return;
    }
    parser_.emplace();
    parser_->eager(true);
    parser_->body_limit(shared_.options.max_body_bytes);
    parser_->header_limit(
        static_cast<uint32_t>(std::min<size_t>(shared_.options.max_header_bytes, UINT32_MAX)));
    parser_->request().remote_address = remote_address_;
    sent_continue_ = false;
    if (buffer_.size() > 0) {
      phase_ = Phase::kReading;
      SetDeadline(shared_.options.read_timeout);
      Parse();
    } else {
      phase_ = Phase::kIdle;
      SetDeadline(shared_.options.idle_timeout);
      Read();
    }
  }

  void Read() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [this](const error_code& ec, size_t n) { OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, size_t n) {
    if (timed_out_) {
      // The sweep fired; a read that completed in the same instant does not save the request.
      if (phase_ == Phase::kReading) {
        WriteError(408);
      } else {
        Destroy();
      }
      return;
    }
    if (ec) {
      // EOF or reset. A request cut off mid-way gets no answer: the client is gone.
      Destroy();
      return;
    }
    buffer_.commit(n);
    if (phase_ == Phase::kIdle) {
      phase_ = Phase::kReading;
      SetDeadline(shared_.options.read_timeout);
    }
    Parse();
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
      if (ec == http::error::body_limit) {
        WriteError(413);
      } else if (ec == http::error::header_limit) {
        WriteError(431);
      } else {
        WriteError(400);
      }
      return;
    }
    if (parser_->is_done()) {
      HandleRequest();
      return;
    }
    if (parser_->is_header_done() && parser_->expect_continue() && !sent_continue_ &&
        parser_->version() >= 11) {
      // RFC 9110 10.1.1: the client waits for this before sending the body.
      sent_continue_ = true;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [this](const error_code& wec, size_t) {
                          if (wec) {
                            Destroy();
                            return;
                          }
                          Read();
                        });
      return;
    }
    if (buffer_.size() > shared_.options.max_header_bytes + kReadChunk) {
      // Unreachable in practice (the parser consumes body bytes as they come, and header_limit
      // bounds the header), kept so the buffer can never grow without bound.
      WriteError(431);
      return;
    }
    Read();
  }

  void HandleRequest() {
    head_request_ = parser_->request().method == "HEAD";
    deferred_ = false;
    try {
      std::optional<HttpResponse> answer = shared_.handler(std::move(parser_->request()), *this);
      if (answer.has_value()) {
        response_ = std::move(*answer);
      } else if (deferred_) {
        phase_ = Phase::kHandling;
        return;  // OnDeferredResponse continues
      } else {
        Log(LogLevel::kError, "http handler returned no response and did not defer");
        response_ = HttpResponse{500, {}, {}};
      }
    } catch (const std::exception& e) {
      // A handler that deferred and then threw must not also complete: answer here, and make
      // a late Complete find no session (a fresh link on the next deferral).
      if (deferred_) DetachLink();
      Log(LogLevel::kError, std::string("http handler threw: ") + e.what());
      response_ = HttpResponse{500, {}, {}};
    } catch (...) {
      if (deferred_) DetachLink();
      Log(LogLevel::kError, "http handler threw a non-standard exception");
      response_ = HttpResponse{500, {}, {}};
    }
    FinishRequest();
  }

  // Writes response_ for the request parser_ holds.
  void FinishRequest() {
    const bool http10 = parser_->version() < 11;
    const bool head = head_request_;
    if (response_.status < 100 || response_.status > 999) {
      Log(LogLevel::kError, "http handler returned an invalid status code");
      response_ = HttpResponse{500, {}, {}};
    }
    // Read after the Handler returns: a Stop() that began meanwhile makes this the last response.
    const bool keep_alive = parser_->keep_alive() && !stop_requested_ &&
                            !shared_.stopping.load(std::memory_order_relaxed);
    SerializeHead(http10, keep_alive);
    close_after_write_ = !keep_alive;
    WriteResponse(head);
  }

  void SerializeHead(bool http10, bool keep_alive) {
    head_.clear();
    head_.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    AppendInt(head_, static_cast<uint64_t>(response_.status));
    head_.push_back(' ');
    head_.append(ReasonPhrase(response_.status));
    head_.append("\r\n");
    for (const auto& [name, value] : response_.headers) {
      if (name.empty() || IsServerOwnedHeader(name)) continue;
      AppendHeaderText(head_, name);
      head_.append(": ");
      AppendHeaderText(head_, value);
      head_.append("\r\n");
    }
    head_.append("Content-Length: ");
    AppendInt(head_, response_.body.size());
    head_.append("\r\nDate: ");
    head_.append(HttpDate());
    if (!keep_alive) {
      head_.append("\r\nConnection: close");
    } else if (http10) {
      head_.append("\r\nConnection: keep-alive");
    }
    head_.append("\r\n\r\n");
  }

  void WriteResponse(bool omit_body) {
    phase_ = Phase::kWriting;
    SetDeadline(shared_.options.read_timeout);
    std::array<asio::const_buffer, 2> buffers = {
        asio::buffer(head_), omit_body ? asio::const_buffer() : asio::buffer(response_.body)};
    asio::async_write(stream_, buffers, [this](const error_code& ec, size_t) { OnWritten(ec); });
  }

  void OnWritten(const error_code& ec) {
    if (ec) {
      Destroy();
      return;
    }
    // Drop a large body now rather than keeping it for the connection's lifetime.
    if (response_.body.capacity() > size_t{64} * 1024) response_.body = std::string();
    if (close_after_write_) {
      if (lingering_close_) {
        Linger();
      } else {
        // TLS too ends at the TCP level, without a close_notify exchange: every response is
        // framed by Content-Length, so the client has all of it; waiting for the peer's
        // close_notify would hold the connection for a client that may never send one.
        error_code ignored;
        socket().shutdown(tcp::socket::shutdown_send, ignored);
        Destroy();
      }
      return;
    }
    WaitForRequest();
  }

  // Answers a request we could not (or would not) read in full, then closes.
  void WriteError(int status) {
    if (status != 408 && LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug, "http request rejected with status " + std::to_string(status));
    }
    response_ = HttpResponse{
        status, {{"Content-Type", "text/plain"}}, std::string(ReasonPhrase(status)) + "\n"};
    SerializeHead(/*http10=*/false, /*keep_alive=*/false);
    close_after_write_ = true;
    lingering_close_ = true;
    timed_out_ = false;  // the write gets its own deadline
    WriteResponse(false);
  }

  void Linger() {
    phase_ = Phase::kLingering;
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
    deadline_ = std::chrono::steady_clock::now() + kLingerTime;
    buffer_.clear();
    Drain();
  }

  // Discards at the TCP level: TLS records need no decrypting to be thrown away.
  void Drain() {
    socket().async_read_some(buffer_.prepare(kReadChunk), [this](const error_code& ec, size_t n) {
      lingered_bytes_ += n;
      if (ec || lingered_bytes_ > kLingerMaxBytes) {
        Destroy();
        return;
      }
      Drain();
    });
  }

  Stream stream_;
  std::string remote_address_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  HttpResponse response_;
  std::string head_;
  Phase phase_ = Phase::kIdle;
  SteadyTime deadline_{};
  size_t lingered_bytes_ = 0;
  bool timed_out_ = false;
  bool stop_requested_ = false;
  bool sent_continue_ = false;
  bool close_after_write_ = false;
  bool lingering_close_ = false;
  bool head_request_ = false;  // the current request is a HEAD
};

void SessionLink::Complete(std::function<HttpResponse()> make) {
  std::lock_guard<std::mutex> lock(mutex);
  if (session == nullptr) return;
  // The session lives on its worker's thread; run `make` there. Re-checked on arrival: the
  // session may have been torn down in between (server stop).
  asio::post(worker->context, [self = shared_from_this(), make = std::move(make)]() mutable {
    SessionBase* target = nullptr;
    {
      std::lock_guard<std::mutex> inner(self->mutex);
      target = self->session;
    }
    if (target != nullptr) target->OnDeferredResponse(make);
  });
}

// The server's TLS context: TLS 1.2 and 1.3 only, the certificate chain and key from PEM files.
Status MakeTlsContext(const ServerOptions& options, std::optional<ssl::context>& out) {
  out.emplace(ssl::context::tls_server);
  ssl::context& context = *out;
  error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                      ec);
  if (!ec && SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
    ec = error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
  }
  if (ec) {
    out.reset();
    return InternalError("TLS setup: " + ec.message());
  }
  context.use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) {
    out.reset();
    return InvalidInputError("cannot load TLS certificate `" + options.tls_cert_file +
                             "`: " + ec.message());
  }
  context.use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
  if (ec) {
    out.reset();
    return InvalidInputError("cannot load TLS private key `" + options.tls_key_file +
                             "`: " + ec.message());
  }
  return Status::Ok();
}

std::chrono::milliseconds SweepInterval(const ServerOptions& options) {
  auto shortest = std::min(options.read_timeout, options.idle_timeout) / 8;
  return std::clamp<std::chrono::milliseconds>(shortest, std::chrono::milliseconds(5),
                                               std::chrono::milliseconds(1000));
}

void ArmSweep(Worker& worker, std::chrono::milliseconds interval) {
  worker.sweep_timer.expires_after(interval);
  worker.sweep_timer.async_wait([&worker, interval](const error_code& ec) {
    if (ec) return;
    SteadyTime now = std::chrono::steady_clock::now();
    for (SessionBase* s = worker.sessions; s != nullptr;) {
      SessionBase* next = s->next();  // CheckDeadline never destroys synchronously
      s->CheckDeadline(now);
      s = next;
    }
    ArmSweep(worker, interval);
  });
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions options, AsyncHandler handler)
      : shared(std::move(options), std::move(handler)) {}

  void Accept() {
    Worker& worker = *workers[next_worker];
    next_worker = (next_worker + 1) % workers.size();
    acceptor->async_accept(
        worker.context, [this, &worker](const error_code& ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
          if (ec) {
            // E.g. EMFILE: log, back off briefly instead of spinning on the error.
            Log(LogLevel::kWarn, "http accept failed: " + ec.message());
            accept_backoff->expires_after(std::chrono::milliseconds(50));
            accept_backoff->async_wait([this](const error_code& wec) {
              if (!wec) Accept();
            });
            return;
          }
          error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          shared.live_sessions.fetch_add(1);
          if (tls.has_value()) {
            asio::post(worker.context, [this, &worker, s = std::move(socket)]() mutable {
              (new Session<TlsStream>(shared, worker, TlsStream(std::move(s), *tls)))->Start();
            });
          } else {
            asio::post(worker.context, [this, &worker, s = std::move(socket)]() mutable {
              (new Session<tcp::socket>(shared, worker, std::move(s)))->Start();
            });
          }
          Accept();
        });
  }

  Shared shared;
  std::optional<ssl::context> tls;  // set by Start() when the options name a certificate
  asio::io_context accept_context{1};
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_backoff;
  std::thread accept_thread;
  std::vector<std::unique_ptr<Worker>> workers;
  size_t next_worker = 0;  // only touched by the accept thread (and Start before it runs)
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : HttpServer(std::move(options),
                 AsyncHandler([handler = std::move(handler)](HttpRequest&& request, Deferral&) {
                   return std::optional<HttpResponse>(handler(std::move(request)));
                 })) {}

HttpServer::HttpServer(ServerOptions options, AsyncHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

// Stop() can throw only when joining a thread fails (std::system_error), a broken invariant:
// terminating, as the implicitly noexcept destructor does, is the right answer.
HttpServer::~HttpServer() { Stop(); }  // NOLINT(bugprone-exception-escape)

uint16_t HttpServer::port() const { return impl_->port; }

Status HttpServer::Start() {
  Impl& impl = *impl_;
  if (impl.started) return InternalError("http server already started");
  const ServerOptions& options = impl.shared.options;
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidInputError("HTTPS needs both a certificate and its private key");
  }
  if (!options.tls_cert_file.empty()) OT_RETURN_IF_ERROR(MakeTlsContext(options, impl.tls));

  error_code ec;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) {
    // Not a literal address: resolve it (e.g. "localhost").
    tcp::resolver resolver(impl.accept_context);
    auto results = resolver.resolve(options.host, "", ec);
    if (ec || results.empty()) {
      return InvalidInputError("cannot resolve listen host `" + options.host + "`");
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, options.port);
  impl.acceptor.emplace(impl.accept_context);
  impl.accept_backoff.emplace(impl.accept_context);
  tcp::acceptor& acceptor = *impl.acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl.acceptor.reset();
    return UnavailableError("cannot listen on " + options.host + ":" +
                            std::to_string(options.port) + ": " + ec.message());
  }
  impl.port = acceptor.local_endpoint().port();

  int threads = options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto sweep = SweepInterval(options);
  for (int i = 0; i < threads; ++i) {
    impl.workers.push_back(std::make_unique<Worker>());
    ArmSweep(*impl.workers.back(), sweep);  // also keeps run() from returning while idle
  }
  impl.Accept();
  for (auto& worker : impl.workers) {
    Worker* w = worker.get();
    w->thread = std::thread([w] { w->context.run(); });
  }
  impl.accept_thread = std::thread([&impl] { impl.accept_context.run(); });
  impl.started = true;
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.shared.stopping.store(true);
  const auto deadline = std::chrono::steady_clock::now() + impl.shared.options.stop_grace;

  // 1. No new connections.
  asio::post(impl.accept_context, [&impl] {
    error_code ignored;
    impl.acceptor->close(ignored);
    impl.accept_backoff->cancel();
  });
  impl.accept_thread.join();

  // 2. Idle connections close now; busy ones close after their current response.
  for (auto& worker : impl.workers) {
    Worker* w = worker.get();
    asio::post(w->context, [w] {
      w->stopping = true;
      for (SessionBase* s = w->sessions; s != nullptr;) {
        SessionBase* next = s->next();
        s->OnServerStop();
        s = next;
      }
    });
  }

  // 3. Wait (bounded) for in-flight requests to be answered.
  {
    std::unique_lock<std::mutex> lock(impl.shared.mutex);
    impl.shared.sessions_done.wait_until(lock, deadline,
                                         [&impl] { return impl.shared.live_sessions.load() == 0; });
  }

  // 4. Whatever is left is dropped. A Handler still running delays the join until it returns.
  for (auto& worker : impl.workers) worker->context.stop();
  for (auto& worker : impl.workers) worker->thread.join();
  for (auto& worker : impl.workers) {
    // The thread is gone, so the sessions can be deleted from here. Their pending handlers
    // (destroyed with the io_context) capture only raw pointers and are never invoked.
    while (worker->sessions != nullptr) delete worker->sessions;
  }
  impl.workers.clear();
  impl.acceptor.reset();
}

void HttpServer::RunUntilSignal() {
  asio::io_context signals_context{1};
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](const error_code&, int signal_number) {
    Log(LogLevel::kInfo, "received signal " + std::to_string(signal_number) + ", stopping");
  });
  signals_context.run();
  Stop();
}

}  // namespace orgtwin::server
