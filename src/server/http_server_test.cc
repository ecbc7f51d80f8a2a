// Tests for HttpServer over real sockets on 127.0.0.1 (port 0). The client is written with plain
// POSIX sockets and poll() so every wait has a deadline and the test never sleeps.
#include "server/http_server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace orgtwin::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 5s;  // generous upper bound for anything that should happen promptly

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercased names
  std::string body;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class TestClient {
 public:
  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~TestClient() { Close(); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return connected_; }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `pred(buffer_)` holds; false on EOF, error or deadline.
  template <typename Pred>
  bool ReadUntil(Pred pred, Clock::time_point deadline) {
    while (!pred()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  // Reads exactly the interim "100 Continue" response.
  bool ReadContinue() {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    if (!ReadUntil([&] { return buffer_.size() >= kContinue.size(); }, Clock::now() + kWait)) {
      return false;
    }
    if (buffer_.compare(0, kContinue.size(), kContinue) != 0) return false;
    buffer_.erase(0, kContinue.size());
    return true;
  }

  std::optional<Response> ReadResponse(Clock::duration wait = kWait) {
    auto deadline = Clock::now() + wait;
    if (!ReadUntil([&] { return buffer_.find("\r\n\r\n") != std::string::npos; }, deadline)) {
      return std::nullopt;
    }
    size_t head_end = buffer_.find("\r\n\r\n");
    std::string head = buffer_.substr(0, head_end);
    Response r;
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return std::nullopt;
    r.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = next;
    }
    size_t length = 0;
    if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
      length = std::stoul(it->second);
    } else {
      return std::nullopt;  // the server must always send Content-Length
    }
    size_t total = head_end + 4 + length;
    if (!ReadUntil([&] { return buffer_.size() >= total; }, deadline)) return std::nullopt;
    r.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, total);
    return r;
  }

  // True once the server has closed the connection (EOF or reset) before the deadline.
  bool WaitForClose(Clock::duration wait = kWait) {
    auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return true;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return false;
  }

  const std::string& pending() const { return buffer_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

// Echoes the request back: body as body, the rest in X- headers.
HttpResponse Echo(HttpRequest&& request) {
  HttpResponse response;
  response.status = 200;
  std::string names;
  for (const auto& [name, value] : request.headers) {
    if (!names.empty()) names += ",";
    names += name;
  }
  response.SetHeader("X-Method", request.method);
  response.SetHeader("X-Target", request.target);
  response.SetHeader("X-Remote", request.remote_address);
  response.SetHeader("X-Header-Names", names);
  response.SetHeader("Content-Type", "application/octet-stream");
  response.body = std::move(request.body);
  return response;
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.read_timeout = 300ms;
  options.idle_timeout = 300ms;
  options.stop_grace = 5s;
  options.max_body_bytes = 4096;
  options.max_header_bytes = 2048;
  return options;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options, Handler handler = Echo) {
    server_ = std::make_unique<HttpServer>(std::move(options), std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  void StartAsyncServer(ServerOptions options, AsyncHandler handler) {
    server_ = std::make_unique<HttpServer>(std::move(options), std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

std::string Post(std::string_view target, std::string_view body, std::string_view extra = "") {
  std::string r = "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) +
                  "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

TEST_F(HttpServerTest, GetAndPostRoundTrip) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /path?a=1&b=%2F HTTP/1.1\r\nHost: x\r\nX-Custom-Case: v\r\n\r\n"));
  auto get = client.ReadResponse();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->headers["x-method"], "GET");
  EXPECT_EQ(get->headers["x-target"], "/path?a=1&b=%2F");
  EXPECT_EQ(get->headers["x-remote"], "127.0.0.1");
  EXPECT_EQ(get->headers["x-header-names"], "Host,X-Custom-Case");  // order and case as sent
  EXPECT_EQ(get->headers["content-length"], "0");
  EXPECT_FALSE(get->headers["date"].empty());
  EXPECT_EQ(get->headers.count("connection"), 0u);  // HTTP/1.1 keep-alive is the default

  ASSERT_TRUE(client.Send(Post("/", "Action=GetCallerIdentity&Version=2011-06-15")));
  auto post = client.ReadResponse();
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200);
  EXPECT_EQ(post->headers["x-method"], "POST");
  EXPECT_EQ(post->body, "Action=GetCallerIdentity&Version=2011-06-15");
}

TEST_F(HttpServerTest, ChunkedRequestBodyIsAssembled) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(HttpServerTest, KeepAliveServesHundredRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  StartServer(TestOptions(), [&calls](HttpRequest&& request) {
    ++calls;
    return Echo(std::move(request));
  });
  TestClient client(port_);
  for (int i = 0; i < 100; ++i) {
    std::string body = "request-" + std::to_string(i);
    ASSERT_TRUE(client.Send(Post("/k", body)));
    auto r = client.ReadResponse();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, body);
  }
  EXPECT_EQ(calls.load(), 100);
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer(TestOptions());
  TestClient client(port_);
  std::string batch;
  for (int i = 0; i < 5; ++i) batch += Post("/p" + std::to_string(i), "body" + std::to_string(i));
  batch += "GET /last HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.Send(batch));
  for (int i = 0; i < 5; ++i) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->headers["x-target"], "/p" + std::to_string(i));
    EXPECT_EQ(r->body, "body" + std::to_string(i));
  }
  auto last = client.ReadResponse();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->headers["x-target"], "/last");
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponseBeforeBody) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(client.Send(
      "PUT /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"));
  ASSERT_TRUE(client.ReadContinue());
  ASSERT_TRUE(client.Send("hello world"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(HttpServerTest, ExpectContinueWithOversizedBodyGets413WithoutContinue) {
  StartServer(TestOptions());  // max_body_bytes 4096
  TestClient client(port_);
  ASSERT_TRUE(client.Send(
      "PUT /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n"));
  auto r = client.ReadResponse();  // a 100 Continue here would fail the parse of the status
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, Http10ClosesAfterResponse) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, Http10KeepAliveIsHonoured) {
  StartServer(TestOptions());
  TestClient client(port_);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = client.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(Lower(r->headers["connection"]), "keep-alive");
  }
}

TEST_F(HttpServerTest, ConnectionCloseRequestClosesAfterResponse) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, TruncatedRequestDoesNotDisturbOthers) {
  StartServer(TestOptions());
  {
    TestClient truncated(port_);
    ASSERT_TRUE(truncated.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  }  // closed mid-body
  TestClient client(port_);
  ASSERT_TRUE(client.Send(Post("/", "fine")));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "fine");
}

TEST_F(HttpServerTest, HugeHeaderGets431AndClose) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(
      client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, BodyOverLimitGets413AndClose) {
  std::atomic<int> calls{0};
  StartServer(TestOptions(), [&calls](HttpRequest&& request) {
    ++calls;
    return Echo(std::move(request));
  });
  TestClient client(port_);
  ASSERT_TRUE(client.Send(Post("/", std::string(10000, 'b'))));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitGets413) {
  StartServer(TestOptions());
  TestClient client(port_);
  std::string chunk(3000, 'c');
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "bb8\r\n" +
                  chunk + "\r\nbb8\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(HttpServerTest, GarbageGets400AndClose) {
  StartServer(TestOptions());
  TestClient client(port_);
  ASSERT_TRUE(client.Send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15)));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(client.WaitForClose());

  TestClient bad_version(port_);
  ASSERT_TRUE(bad_version.Send("GET / HTTP/9.9x\r\nHost: x\r\n\r\n"));
  auto r2 = bad_version.ReadResponse();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 400);

  TestClient bad_length(port_);
  ASSERT_TRUE(bad_length.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"));
  auto r3 = bad_length.ReadResponse();
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->status, 400);
}

TEST_F(HttpServerTest, InvalidUtf8BodyPassesThroughUntouched) {
  StartServer(TestOptions());
  TestClient client(port_);
  const std::string body("\xff\xfe\x80\xc3\x28\x00tail\xed\xa0\x80", 13);
  ASSERT_TRUE(client.Send(Post("/", body)));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
}

TEST_F(HttpServerTest, SlowClientGets408WithinReadTimeout) {
  StartServer(TestOptions());  // read_timeout 300 ms
  TestClient client(port_);
  auto start = Clock::now();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Le"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  StartServer(TestOptions());  // idle_timeout 300 ms
  TestClient client(port_);
  ASSERT_TRUE(client.Send(Post("/", "x")));
  ASSERT_TRUE(client.ReadResponse());
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(client.pending().empty());  // closed silently, no 408 for an idle connection
}

TEST_F(HttpServerTest, ThrowingHandlerGives500AndConnectionStaysUsable) {
  StartServer(TestOptions(), [](HttpRequest&& request) -> HttpResponse {
    if (request.target == "/throw") throw std::runtime_error("boom");
    return Echo(std::move(request));
  });
  TestClient client(port_);
  ASSERT_TRUE(client.Send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "");
  ASSERT_TRUE(client.Send(Post("/ok", "still here")));
  auto r2 = client.ReadResponse();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(r2->body, "still here");
}

TEST_F(HttpServerTest, HandlerHeadersCannotSplitTheResponse) {
  StartServer(TestOptions(), [](HttpRequest&&) {
    HttpResponse response;
    response.status = 201;
    response.SetHeader("X-Evil", "a\r\nInjected: yes");
    response.SetHeader("Content-Length", "999");  // the server owns framing
    response.body = "ok";
    return response;
  });
  TestClient client(port_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->headers.count("injected"), 0u);
  EXPECT_EQ(r->headers["content-length"], "2");
  EXPECT_EQ(r->body, "ok");
}

TEST_F(HttpServerTest, HeadResponseHasNoBody) {
  StartServer(TestOptions(), [](HttpRequest&&) {
    HttpResponse response;
    response.body = "0123456789";
    return response;
  });
  TestClient client(port_);
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  // The HEAD response advertises 10 bytes but carries none: the next bytes are the GET's reply.
  ASSERT_TRUE(client.ReadUntil(
      [&] { return client.pending().find("\r\n\r\nHTTP/1.1 200") != std::string::npos; },
      Clock::now() + kWait));
  EXPECT_NE(client.pending().find("Content-Length: 10\r\n"), std::string::npos);
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlightRequest) {
  std::latch entered(1);
  std::latch release(1);
  ServerOptions options = TestOptions();
  options.read_timeout = 10s;
  options.idle_timeout = 10s;
  StartServer(options, [&](HttpRequest&& request) {
    entered.count_down();
    release.wait();
    return Echo(std::move(request));
  });
  TestClient busy(port_);
  TestClient idle(port_);
  ASSERT_TRUE(busy.Send(Post("/slow", "in flight")));
  entered.wait();

  std::thread stopper([this] { server_->Stop(); });
  // Stop() has begun once the listener is gone: new connections are refused.
  bool refused = false;
  for (auto deadline = Clock::now() + kWait; Clock::now() < deadline && !refused;) {
    TestClient probe(port_);  // if accepted before the listener closed, it is closed as idle
    refused = !probe.connected();
  }
  EXPECT_TRUE(refused);
  release.count_down();
  // Idle connections are closed (checked after the release: `idle` may live on the I/O thread
  // that is blocked in the handler).
  EXPECT_TRUE(idle.WaitForClose());

  auto r = busy.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "in flight");
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(busy.WaitForClose());
  stopper.join();
}

TEST_F(HttpServerTest, StopIsIdempotentAndStartFailsOnBusyPort) {
  StartServer(TestOptions());
  ServerOptions clash = TestOptions();
  clash.port = port_;
  HttpServer second(clash, Echo);
  Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  server_->Stop();
  server_->Stop();
}

TEST_F(HttpServerTest, ConcurrentClientsFromEightThreads) {
  std::atomic<int> calls{0};
  StartServer(TestOptions(), [&calls](HttpRequest&& request) {
    ++calls;
    return Echo(std::move(request));
  });
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TestClient client(port_);
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(t) + ":" + std::to_string(i);
        if (!client.Send(Post("/c", body))) return;
        auto r = client.ReadResponse();
        if (!r || r->status != 200 || r->body != body) return;
        ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  EXPECT_EQ(calls.load(), kThreads * kRequests);
}

// A stand-in for the store's writer thread: completes deferred requests from its own thread.
class CompletionThread {
 public:
  CompletionThread() : thread_([this] { Loop(); }) {}
  ~CompletionThread() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      auto task = std::move(tasks_.front());
      tasks_.erase(tasks_.begin());
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

TEST_F(HttpServerTest, DeferredResponsesArriveInOrderOnKeepAlive) {
  CompletionThread completer;
  std::atomic<int> made_on_completer_thread{0};
  StartAsyncServer(TestOptions(),
                   [&](HttpRequest&& request, Deferral& deferral) -> std::optional<HttpResponse> {
                     if (request.target == "/now") return HttpResponse{200, {}, "now"};
                     std::shared_ptr<PendingResponse> pending = deferral.Defer();
                     std::string body = request.body;
                     completer.Post([&, pending, body] {
                       const auto completer_id = std::this_thread::get_id();
                       pending->Complete([&, body, completer_id] {
                         // `make` runs on the connection's I/O thread, not on the completing
                         // thread.
                         if (std::this_thread::get_id() == completer_id) ++made_on_completer_thread;
                         return HttpResponse{201, {{"X-Deferred", "yes"}}, "later:" + body};
                       });
                     });
                     return std::nullopt;
                   });
  TestClient client(port_);
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(client.Send(Post("/later", std::to_string(i))));
    auto deferred = client.ReadResponse();
    ASSERT_TRUE(deferred) << i;
    EXPECT_EQ(deferred->status, 201);
    EXPECT_EQ(deferred->body, "later:" + std::to_string(i));
    EXPECT_EQ(deferred->headers["x-deferred"], "yes");
    ASSERT_TRUE(client.Send("GET /now HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto now = client.ReadResponse();
    ASSERT_TRUE(now);
    EXPECT_EQ(now->body, "now");
  }
  // Pipelined: the second request is answered only after the deferred first one.
  ASSERT_TRUE(client.Send(Post("/later", "first") + "GET /now HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "later:first");
  EXPECT_EQ(second->body, "now");
  EXPECT_EQ(made_on_completer_thread.load(), 0);
}

TEST_F(HttpServerTest, DeferredResponseForAClosedConnectionIsDropped) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::shared_ptr<PendingResponse>> parked;
  std::atomic<int> made{0};
  StartAsyncServer(TestOptions(), [&](HttpRequest&&, Deferral& deferral) {
    std::lock_guard<std::mutex> lock(mutex);
    parked.push_back(deferral.Defer());
    arrived.notify_all();
    return std::optional<HttpResponse>();
  });
  auto wait_for_parked = [&](size_t count) {
    std::unique_lock<std::mutex> lock(mutex);
    arrived.wait_for(lock, kWait, [&] { return parked.size() >= count; });
  };
  {
    TestClient client(port_);
    ASSERT_TRUE(client.Send(Post("/x", "gone")));
    // Wait until the server has the request, then hang up before it is answered.
    wait_for_parked(1);
  }
  // The session is still waiting (no read is outstanding, so it cannot see the hang-up); the
  // late answer is written to a dead socket and the session then ends on the write error.
  {
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_EQ(parked.size(), 1u);
    parked[0]->Complete([&] {
      ++made;
      return HttpResponse{200, {}, "late"};
    });
  }
  // The server keeps serving.
  TestClient other(port_);
  ASSERT_TRUE(other.Send(Post("/x", "next")));
  wait_for_parked(2);
  {
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_EQ(parked.size(), 2u);
    parked[1]->Complete([] { return HttpResponse{200, {}, "served"}; });
  }
  auto response = other.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "served");
  server_->Stop();
  // After the stop every session is gone: a completion now is dropped, `make` never runs.
  int made_before = made.load();
  parked[0]->Complete([&] {
    ++made;
    return HttpResponse{200, {}, "after stop"};
  });
  EXPECT_EQ(made.load(), made_before);
}

TEST_F(HttpServerTest, GracefulStopWaitsForDeferredResponse) {
  std::promise<std::shared_ptr<PendingResponse>> deferred;
  StartAsyncServer(TestOptions(), [&](HttpRequest&&, Deferral& deferral) {
    deferred.set_value(deferral.Defer());
    return std::optional<HttpResponse>();
  });
  TestClient client(port_);
  ASSERT_TRUE(client.Send(Post("/slow", "x")));
  auto handed_over = deferred.get_future();
  ASSERT_EQ(handed_over.wait_for(kWait), std::future_status::ready);
  std::shared_ptr<PendingResponse> pending = handed_over.get();

  std::mutex mutex;
  bool stop_returned = false;
  std::thread stopper([&] {
    server_->Stop();
    std::lock_guard<std::mutex> lock(mutex);
    stop_returned = true;
  });
  // Stop() has begun once the listening socket is gone: a new connection is refused.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    refused = !TestClient(port_).connected();
    if (!refused) std::this_thread::yield();
  }
  ASSERT_TRUE(refused);
  {
    // It is now waiting for the outstanding response (its grace period is 5 s), not returning.
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_FALSE(stop_returned);
  }
  pending->Complete([] { return HttpResponse{200, {}, "finished"}; });
  auto response = client.ReadResponse();
  stopper.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "finished");
  EXPECT_EQ(response->headers["connection"], "close");
}

}  // namespace
}  // namespace orgtwin::server
