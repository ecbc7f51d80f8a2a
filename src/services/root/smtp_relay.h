// File: services/root/smtp_relay.h
//
// SmtpRelay: the optional relay of the twin's mail to a real SMTP server (`serve --smtp
// host:port`). The twin's mail (reset links, verification links, one-time codes) is committed to
// mailbox_messages first; this thread reads the messages not yet relayed and hands each to the
// server with libcurl's SMTP client, marking it relayed once the server accepted it. A refused or
// unreachable server is retried with a backoff (1 s doubling to 5 minutes) until it takes the
// message, so a message the twin acknowledged is not lost to a crash or an outage.
//
// Thread-safety: Start and Stop from one thread; the relay runs on its own thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace orgtwin::services::root {

struct SmtpRelayOptions {
  std::string server;                           // host:port
  std::string from = "no-reply@orgtwin.local";  // the envelope and header sender
};

class SmtpRelay {
 public:
  SmtpRelay(store::Store& store, const Clock& clock, SmtpRelayOptions options);
  ~SmtpRelay();  // stops the thread
  SmtpRelay(const SmtpRelay&) = delete;
  SmtpRelay& operator=(const SmtpRelay&) = delete;

  // Starts the relay thread. Fails (kInvalidInput) when the options are malformed.
  Status Start();
  // Stops after the message in hand; the rest wait in the outbox for the next start.
  void Stop();

  // One pass over the outbox: relays what is due. Returns how many were relayed (tests).
  Result<int> RelayDue();

 private:
  void Loop();
  // Sends one message; "" on success, else curl's or the server's error.
  std::string Send(const std::string& to, const std::string& message_id, double sent_at,
                   const std::string& subject, const std::string& body) const;

  store::Store& store_;
  const Clock& clock_;
  SmtpRelayOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace orgtwin::services::root
