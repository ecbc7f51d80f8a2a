#include "services/root/smtp_relay.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <curl/curl.h>

#include "common/log.h"
#include "repo/recovery_repository.h"

namespace orgtwin::services::root {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr double kFirstRetrySeconds = 1;
constexpr double kMaxRetrySeconds = 300;
constexpr int64_t kBatch = 20;
constexpr long kTimeoutSeconds = 10;

// A header value on one line: the twin writes its own subjects, but a CR or LF must never
// start a header of its own.
std::string OneLine(const std::string& text) {
  std::string out = text;
  std::replace(out.begin(), out.end(), '\r', ' ');
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// RFC 5322 date, e.g. "Fri, 04 Dec 2026 21:00:00 +0000".
std::string MailDate(double epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

struct Upload {
  const std::string* text;
  size_t offset = 0;
};

size_t ReadUpload(char* out, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t left = upload->text->size() - upload->offset;
  size_t n = std::min(left, size * count);
  std::memcpy(out, upload->text->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

}  // namespace

SmtpRelay::SmtpRelay(store::Store& store, const Clock& clock, SmtpRelayOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

SmtpRelay::~SmtpRelay() { Stop(); }

Status SmtpRelay::Start() {
  if (options_.server.empty() || options_.server.find(':') == std::string::npos) {
    return InvalidInputError("--smtp must be host:port, got `" + options_.server + "`");
  }
  // libcurl's global state, once per process, before any thread uses it.
  static const CURLcode kInitialized = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (kInitialized != CURLE_OK) return InternalError("libcurl failed to initialize");
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void SmtpRelay::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SmtpRelay::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Result<int> relayed = RelayDue();
    if (!relayed.ok()) Log(LogLevel::kWarn, "smtp relay: " + relayed.status().ToString());
    lock.lock();
    wake_.wait_for(lock, kPollInterval, [this] { return stopping_; });
  }
}

Result<int> SmtpRelay::RelayDue() {
  // Several nodes on one database: only the leading node relays (Store::LeadsBackgroundWork).
  OT_ASSIGN_OR_RETURN(bool leads, store_.LeadsBackgroundWork());
  if (!leads) return 0;
  const double now = ToEpochSeconds(clock_.Now());
  std::vector<repo::MailRow> due;
  {
    // A read each pass; the one write is the first pass's (or the first after a reset).
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kRead));
    OT_ASSIGN_OR_RETURN(std::optional<double> since, repo::FindMailRelaySince(*tx));
    if (!since.has_value()) {
      OT_ASSIGN_OR_RETURN(auto write, store_.Begin(store::TxMode::kWrite));
      OT_RETURN_IF_ERROR(repo::SetMailRelaySince(*write, now));
      OT_RETURN_IF_ERROR(write->Commit());
      since = std::floor(now);
    }
    OT_ASSIGN_OR_RETURN(due, repo::MailToRelay(*tx, *since, now, kBatch));
  }
  int relayed = 0;
  for (const repo::MailRow& mail : due) {
    std::string error = Send(mail.address, mail.message_id, mail.sent_at, mail.subject, mail.body);
    OT_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TxMode::kWrite));
    if (error.empty()) {
      OT_RETURN_IF_ERROR(repo::MarkMailRelayed(*tx, mail.message_id, now));
      ++relayed;
    } else {
      const int64_t attempts = mail.relay_attempts;
      const double wait = std::min(
          kMaxRetrySeconds,
          kFirstRetrySeconds * std::pow(2.0, static_cast<double>(std::min<int64_t>(attempts, 16))));
      Log(LogLevel::kWarn, "smtp relay: " + mail.address + ": " + error + "; retry in " +
                               std::to_string(static_cast<int64_t>(wait)) + " s");
      OT_RETURN_IF_ERROR(repo::MarkMailRelayFailed(*tx, mail.message_id, error, now + wait));
    }
    OT_RETURN_IF_ERROR(tx->Commit());
  }
  return relayed;
}

std::string SmtpRelay::Send(const std::string& to, const std::string& message_id, double sent_at,
                            const std::string& subject, const std::string& body) const {
  std::string text = "Date: " + MailDate(sent_at) + "\r\n";
  text.append("To: <").append(OneLine(to)).append(">\r\n");
  text.append("From: orgtwin <").append(OneLine(options_.from)).append(">\r\n");
  text.append("Message-ID: <").append(OneLine(message_id)).append("@orgtwin>\r\n");
  text.append("Subject: ").append(OneLine(subject)).append("\r\n");
  text.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
  text.append(body).append("\r\n");
  Upload upload{&text};

  CURL* curl = curl_easy_init();
  if (curl == nullptr) return "libcurl could not start a transfer";
  const std::string url = "smtp://" + options_.server;
  const std::string from = "<" + OneLine(options_.from) + ">";
  curl_slist* recipients = curl_slist_append(nullptr, ("<" + OneLine(to) + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode result = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  return result == CURLE_OK ? std::string() : std::string(curl_easy_strerror(result));
}

}  // namespace orgtwin::services::root
