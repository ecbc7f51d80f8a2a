// File: cli/twin_http.h
//
// How the CLI's small commands (signup, signin, inbox, phone, custody) reach a running twin: one
// JSON POST to an /_orgtwin/... path over HTTP or HTTPS (client::HttpTransport, AWS_CA_BUNDLE
// honoured), SigV4-signed for the `orgtwin` service when credentials are given, and the answer
// printed the one way these commands print it. Blocking; one request per call.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "client/client.h"
#include "common/status.h"

namespace orgtwin::cli {

// What the twin answered, whatever the HTTP status.
struct TwinAnswer {
  int status = 0;
  std::string body;
};

// POSTs `body` to `endpoint` + `path`. `signer` null: unsigned (what AWS serves as web pages:
// sign-up, sign-in, mailboxes, phones). Errors: kInvalidInput for an endpoint that is not
// http(s)://host[:port], kUnavailable (message "cannot reach ...") when no answer came.
Result<TwinAnswer> PostJson(const std::string& endpoint, const std::string& path,
                            const boost::json::object& body,
                            const client::Credentials* signer = nullptr);

// "orgtwin COMMAND: MESSAGE" on stderr; returns 1, the commands' failure exit code.
int Fail(std::string_view command, std::string_view message);

// A 200 answer's body on stdout (returns 0); else the error or the HTTP status and body on
// stderr (returns 1).
int PrintAnswer(std::string_view command, const Result<TwinAnswer>& answer);

}  // namespace orgtwin::cli
