// File: protocol/rest_json_protocol.h
//
// The AWS rest-json protocol (Account): operations are found by HTTP method + request URI
// template, input members come from URI labels, the query string, headers and the JSON body per
// their `location`, output members go to headers / status code / body.
//
// Thread-safety: pure functions over immutable models.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/http_message.h"
#include "common/status.h"
#include "model/service_model.h"

namespace orgtwin::protocol::rest_json {

// True when `method` + `path` (percent-encoded, no query) match the operation's HTTP binding;
// fills `labels` with the decoded {label} values ({Name+} labels take the rest of the path).
bool MatchRequest(const model::Operation& operation, std::string_view method, std::string_view path,
                  std::map<std::string, std::string>* labels);

// Input from labels, query string, headers and body. Type errors -> SerializationException.
Result<boost::json::object> ParseInput(const model::Operation& operation,
                                       const HttpRequest& request,
                                       const std::map<std::string, std::string>& labels);

// 200 (or the operation's responseCode); no body when the operation has no output shape.
HttpResponse SerializeOutput(const model::ServiceModel& service, const model::Operation& operation,
                             const boost::json::object& output, std::string_view request_id);

}  // namespace orgtwin::protocol::rest_json
