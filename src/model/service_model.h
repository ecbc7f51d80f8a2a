// File: model/service_model.h
//
// The AWS API models orgtwin serves (botocore's service-2.json for organizations, iam, sts,
// account, cloudtrail, billing and invoicing, documentation stripped, committed under models/ and
// embedded in the binary), loaded once into an immutable shape graph that the generic protocol
// parsers/serializers (protocol/) walk at run time.
//
//   models/<svc>/<ver>/service-2.json --(embedded bytes)--> Registry::Embedded()
//       -> ServiceModel (metadata, operations by name) -> Operation (input/output/errors)
//       -> Shape (type, members, constraints, error traits)
//
// Ownership: a Registry owns every ServiceModel, Operation and Shape it hands out; pointers stay
// valid for the Registry's lifetime (the embedded registry lives for the whole process).
// Thread-safety: immutable after construction; safe to share across threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace orgtwin::model {

enum class Protocol { kJson, kQuery, kRestJson, kRestXml, kEc2 };

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
};

struct Shape;

// A member of a structure, or the element/key/value of a list/map.
struct Member {
  std::string name;  // member name as in the model ("" for list/map members)
  const Shape* shape = nullptr;
  std::string location;          // "", "uri", "querystring", "header", "headers", "statusCode"
  std::string location_name;     // wire name when it differs from `name` ("" otherwise)
  std::string query_name;        // ec2 protocol only
  std::string timestamp_format;  // member-level override: "iso8601", "unixTimestamp", "rfc822"
  bool flattened = false;        // member-level flattened trait (XML)
  bool xml_attribute = false;
  bool idempotency_token = false;
  bool host_label = false;
  bool json_value = false;  // header carries a JSON value
  bool event_payload = false;
  bool deprecated = false;

  // The name on the wire for this member (location_name if set, else name).
  const std::string& WireName() const { return location_name.empty() ? name : location_name; }
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;

  // kStructure: members in model order; `required` lists member names.
  std::vector<Member> members;
  std::vector<std::string> required;
  std::string payload;  // rest protocols: the member that is the whole body ("" if none)

  // kList: `member`; kMap: `key` and `value`.
  Member member;
  Member key;
  Member value;
  bool flattened = false;  // shape-level flattened trait (XML lists/maps)

  // Constraints (any type). `min`/`max` are lengths for strings/blobs/lists/maps and values for
  // numbers.
  std::optional<double> min;
  std::optional<double> max;
  std::optional<std::string> pattern;  // ECMAScript-style regex from the model, unanchored
  std::vector<std::string> enum_values;
  bool sensitive = false;
  std::string timestamp_format;  // shape-level: "iso8601", "unixTimestamp", "rfc822" or ""

  // Error traits (structures marked "exception": true).
  bool is_error = false;
  std::string error_code;  // `error.code` when present (query protocol wire code), else name
  int http_status = 400;   // `error.httpStatusCode`, default 400
  bool sender_fault = true;

  const Member* FindMember(std::string_view member_name) const;
  bool IsRequired(std::string_view member_name) const;
};

struct Operation {
  std::string name;               // "CreateAccount"
  std::string http_method;        // "POST"
  std::string request_uri;        // "/" or, for rest-json, a template like "/getAlternateContact"
  int success_status = 200;       // http.responseCode
  const Shape* input = nullptr;   // may be null (operation without input)
  const Shape* output = nullptr;  // may be null
  std::string result_wrapper;     // query protocol: "<Op>Result" wrapper name ("" if none)
  std::vector<const Shape*> errors;
  bool deprecated = false;
  bool auth_none = false;  // "authtype": "none" (e.g. STS AssumeRoleWithWebIdentity)
};

class ServiceModel {
 public:
  // Metadata.
  std::string service_id;       // "Organizations"
  std::string endpoint_prefix;  // "organizations"
  std::string signing_name;     // "organizations" (falls back to endpoint_prefix)
  std::string api_version;      // "2016-11-28"
  Protocol protocol = Protocol::kJson;
  std::string json_version;     // "1.1"
  std::string target_prefix;    // "AWSOrganizationsV20161128" (JSON protocol)
  std::string xml_namespace;    // "https://iam.amazonaws.com/doc/2010-05-08/" (query)
  std::string global_endpoint;  // from metadata.globalEndpoint when present

  // The operation named `name` exactly as on the wire, or nullptr.
  const Operation* FindOperation(std::string_view name) const;
  const Shape* FindShape(std::string_view name) const;
  // The error shape whose wire code (error.code or shape name) is `code`, or nullptr.
  const Shape* FindError(std::string_view code) const;
  const std::map<std::string, Operation, std::less<>>& operations() const { return operations_; }

  // Pagination config from paginators-1.json: input token, output token, limit key per operation.
  struct Paginator {
    std::vector<std::string> input_token;
    std::vector<std::string> output_token;
    std::string limit_key;
  };
  const Paginator* FindPaginator(std::string_view operation) const;

 private:
  friend class Registry;
  friend struct ModelBuilder;
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, const Shape*, std::less<>> errors_by_code_;
  std::map<std::string, Paginator, std::less<>> paginators_;
};

class Registry {
 public:
  // The models embedded in the binary (loaded once, on first use; thread-safe).
  static const Registry& Embedded();

  // Builds a registry from model JSON texts (service-2.json and optional paginators-1.json per
  // service). Returns kInvalidInput if a document is not a well-formed botocore model.
  struct Source {
    std::string_view service_json;
    std::string_view paginators_json;  // may be empty
  };
  static Result<std::unique_ptr<Registry>> Load(const std::vector<Source>& sources);

  // Lookup by signing name ("sts", "iam", "organizations", "account", ...), by endpoint prefix,
  // by JSON target prefix ("AWSOrganizationsV20161128"), or by query API version
  // ("2010-05-08" -> iam, "2011-06-15" -> sts). nullptr when unknown.
  const ServiceModel* BySigningName(std::string_view name) const;
  const ServiceModel* ByEndpointPrefix(std::string_view prefix) const;
  const ServiceModel* ByTargetPrefix(std::string_view prefix) const;
  const ServiceModel* ByApiVersion(std::string_view api_version) const;
  std::vector<const ServiceModel*> services() const;

 private:
  std::vector<std::unique_ptr<ServiceModel>> services_;
};

}  // namespace orgtwin::model
