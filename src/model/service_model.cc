// Loads botocore service-2.json / paginators-1.json documents into the immutable shape graph of
// service_model.h. Boost.JSON exceptions never leave this file: every accessor below checks the
// kind before reading, and a malformed document yields kInvalidInput.
#include "model/service_model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <boost/json.hpp>

#include "model/embedded_models.h"

namespace orgtwin::model {

namespace json = boost::json;

const Member* Shape::FindMember(std::string_view member_name) const {
  for (const Member& m : members) {
    if (m.name == member_name) return &m;
  }
  return nullptr;
}

bool Shape::IsRequired(std::string_view member_name) const {
  return std::find(required.begin(), required.end(), member_name) != required.end();
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::FindShape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second.get();
}

const Shape* ServiceModel::FindError(std::string_view code) const {
  auto it = errors_by_code_.find(code);
  return it == errors_by_code_.end() ? nullptr : it->second;
}

const ServiceModel::Paginator* ServiceModel::FindPaginator(std::string_view operation) const {
  auto it = paginators_.find(operation);
  return it == paginators_.end() ? nullptr : &it->second;
}

namespace {

std::string GetString(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  return std::string(v->get_string());
}

bool GetBool(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

std::optional<double> GetNumber(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  return std::nullopt;
}

const json::object* GetObject(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return (v != nullptr && v->is_object()) ? &v->get_object() : nullptr;
}

std::optional<ShapeType> ParseShapeType(std::string_view type) {
  if (type == "structure") return ShapeType::kStructure;
  if (type == "list") return ShapeType::kList;
  if (type == "map") return ShapeType::kMap;
  if (type == "string") return ShapeType::kString;
  if (type == "integer") return ShapeType::kInteger;
  if (type == "long") return ShapeType::kLong;
  if (type == "float") return ShapeType::kFloat;
  if (type == "double") return ShapeType::kDouble;
  if (type == "boolean") return ShapeType::kBoolean;
  if (type == "timestamp") return ShapeType::kTimestamp;
  if (type == "blob") return ShapeType::kBlob;
  return std::nullopt;
}

std::optional<Protocol> ParseProtocol(std::string_view protocol) {
  if (protocol == "json") return Protocol::kJson;
  if (protocol == "query") return Protocol::kQuery;
  if (protocol == "rest-json") return Protocol::kRestJson;
  if (protocol == "rest-xml") return Protocol::kRestXml;
  if (protocol == "ec2") return Protocol::kEc2;
  return std::nullopt;
}

Result<json::object> ParseDocument(std::string_view text, std::string_view what) {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) {
    return InvalidInputError(std::string(what) + " is not valid JSON: " + ec.message());
  }
  if (!doc.is_object()) return InvalidInputError(std::string(what) + " is not a JSON object");
  return std::move(doc.get_object());
}

}  // namespace

// Builds one ServiceModel; a friend of ServiceModel so it can fill the private maps.
struct ModelBuilder {
  ServiceModel& model;

  Result<const Shape*> Resolve(const json::object& ref, std::string_view context) {
    std::string name = GetString(ref, "shape");
    const Shape* shape = model.FindShape(name);
    if (shape == nullptr) {
      return InvalidInputError("model " + model.service_id + ": " + std::string(context) +
                               " refers to unknown shape '" + name + "'");
    }
    return shape;
  }

  Result<Member> BuildMember(const json::object& ref, std::string name, std::string_view context) {
    Member m;
    m.name = std::move(name);
    OT_ASSIGN_OR_RETURN(m.shape, Resolve(ref, context));
    m.location = GetString(ref, "location");
    m.location_name = GetString(ref, "locationName");
    m.query_name = GetString(ref, "queryName");
    m.timestamp_format = GetString(ref, "timestampFormat");
    m.flattened = GetBool(ref, "flattened");
    m.xml_attribute = GetBool(ref, "xmlAttribute");
    m.idempotency_token = GetBool(ref, "idempotencyToken");
    m.host_label = GetBool(ref, "hostLabel");
    m.json_value = GetBool(ref, "jsonvalue");
    m.event_payload = GetBool(ref, "eventpayload");
    m.deprecated = GetBool(ref, "deprecated");
    return m;
  }

  Status FillShape(Shape& shape, const json::object& def) {
    if (const json::object* members = GetObject(def, "members")) {
      shape.members.reserve(members->size());
      for (const auto& [member_name, ref] : *members) {
        if (!ref.is_object()) return InvalidInputError("member " + std::string(member_name));
        OT_ASSIGN_OR_RETURN(Member m, BuildMember(ref.get_object(), std::string(member_name),
                                                  shape.name + "." + std::string(member_name)));
        shape.members.push_back(std::move(m));
      }
    }
    if (const json::value* req = def.if_contains("required"); req != nullptr && req->is_array()) {
      for (const json::value& r : req->get_array()) {
        if (r.is_string()) shape.required.emplace_back(r.get_string());
      }
    }
    shape.payload = GetString(def, "payload");
    if (const json::object* ref = GetObject(def, "member")) {
      OT_ASSIGN_OR_RETURN(shape.member, BuildMember(*ref, "", shape.name + ".member"));
    }
    if (const json::object* ref = GetObject(def, "key")) {
      OT_ASSIGN_OR_RETURN(shape.key, BuildMember(*ref, "", shape.name + ".key"));
    }
    if (const json::object* ref = GetObject(def, "value")) {
      OT_ASSIGN_OR_RETURN(shape.value, BuildMember(*ref, "", shape.name + ".value"));
    }
    if ((shape.type == ShapeType::kList && shape.member.shape == nullptr) ||
        (shape.type == ShapeType::kMap &&
         (shape.key.shape == nullptr || shape.value.shape == nullptr))) {
      return InvalidInputError("model " + model.service_id + ": shape " + shape.name +
                               " lacks its element shapes");
    }
    shape.flattened = GetBool(def, "flattened");
    shape.min = GetNumber(def, "min");
    shape.max = GetNumber(def, "max");
    if (const json::value* p = def.if_contains("pattern"); p != nullptr && p->is_string()) {
      shape.pattern = std::string(p->get_string());
    }
    if (const json::value* e = def.if_contains("enum"); e != nullptr && e->is_array()) {
      for (const json::value& v : e->get_array()) {
        if (v.is_string()) shape.enum_values.emplace_back(v.get_string());
      }
    }
    shape.sensitive = GetBool(def, "sensitive");
    shape.timestamp_format = GetString(def, "timestampFormat");
    shape.is_error = GetBool(def, "exception");
    if (shape.is_error) {
      shape.error_code = shape.name;
      bool fault = GetBool(def, "fault");
      shape.sender_fault = !fault;
      shape.http_status = fault ? 500 : 400;
      if (const json::object* err = GetObject(def, "error")) {
        std::string code = GetString(*err, "code");
        if (!code.empty()) shape.error_code = std::move(code);
        if (auto status = GetNumber(*err, "httpStatusCode")) {
          shape.http_status = static_cast<int>(*status);
        }
        if (const json::value* sf = err->if_contains("senderFault"); sf && sf->is_bool()) {
          shape.sender_fault = sf->get_bool();
        }
      }
    }
    return Status::Ok();
  }

  Status Build(const json::object& doc) {
    const json::object* metadata = GetObject(doc, "metadata");
    const json::object* shapes = GetObject(doc, "shapes");
    const json::object* operations = GetObject(doc, "operations");
    if (metadata == nullptr || shapes == nullptr || operations == nullptr) {
      return InvalidInputError("not a botocore service model (metadata/shapes/operations missing)");
    }
    model.service_id = GetString(*metadata, "serviceId");
    model.endpoint_prefix = GetString(*metadata, "endpointPrefix");
    model.signing_name = GetString(*metadata, "signingName");
    if (model.signing_name.empty()) model.signing_name = model.endpoint_prefix;
    model.api_version = GetString(*metadata, "apiVersion");
    std::string protocol = GetString(*metadata, "protocol");
    auto parsed_protocol = ParseProtocol(protocol);
    if (!parsed_protocol) {
      return InvalidInputError("model " + model.service_id + ": unsupported protocol '" + protocol +
                               "'");
    }
    model.protocol = *parsed_protocol;
    model.json_version = GetString(*metadata, "jsonVersion");
    if (model.json_version.empty() && model.protocol == Protocol::kJson) {
      model.json_version = "1.0";
    }
    model.target_prefix = GetString(*metadata, "targetPrefix");
    model.xml_namespace = GetString(*metadata, "xmlNamespace");
    model.global_endpoint = GetString(*metadata, "globalEndpoint");
    if (model.endpoint_prefix.empty() || model.api_version.empty()) {
      return InvalidInputError("model metadata lacks endpointPrefix or apiVersion");
    }

    // Pass 1: every shape exists (members may refer forward); pass 2: fill them in.
    for (const auto& [name, def] : *shapes) {
      if (!def.is_object()) return InvalidInputError("shape " + std::string(name));
      auto type = ParseShapeType(GetString(def.get_object(), "type"));
      if (!type) {
        return InvalidInputError("model " + model.service_id + ": shape " + std::string(name) +
                                 " has an unsupported type");
      }
      auto shape = std::make_unique<Shape>();
      shape->name = std::string(name);
      shape->type = *type;
      model.shapes_.emplace(shape->name, std::move(shape));
    }
    for (const auto& [name, def] : *shapes) {
      Shape& shape = *model.shapes_.find(name)->second;
      OT_RETURN_IF_ERROR(FillShape(shape, def.get_object()));
      if (shape.is_error) model.errors_by_code_.emplace(shape.error_code, &shape);
    }
    // Shape names also reach their error (a service may raise it by name when the wire code
    // differs, e.g. IAM's "EntityAlreadyExistsException" -> "EntityAlreadyExists").
    for (const auto& [name, shape] : model.shapes_) {
      if (shape->is_error) model.errors_by_code_.emplace(name, shape.get());
    }

    for (const auto& [name, def] : *operations) {
      if (!def.is_object()) return InvalidInputError("operation " + std::string(name));
      const json::object& op_def = def.get_object();
      Operation op;
      op.name = std::string(name);
      if (const json::object* http = GetObject(op_def, "http")) {
        op.http_method = GetString(*http, "method");
        op.request_uri = GetString(*http, "requestUri");
        if (auto code = GetNumber(*http, "responseCode"))
          op.success_status = static_cast<int>(*code);
      }
      if (op.http_method.empty()) op.http_method = "POST";
      if (op.request_uri.empty()) op.request_uri = "/";
      if (const json::object* in = GetObject(op_def, "input")) {
        OT_ASSIGN_OR_RETURN(op.input, Resolve(*in, op.name + ".input"));
      }
      if (const json::object* out = GetObject(op_def, "output")) {
        OT_ASSIGN_OR_RETURN(op.output, Resolve(*out, op.name + ".output"));
        op.result_wrapper = GetString(*out, "resultWrapper");
      }
      if (const json::value* errs = op_def.if_contains("errors"); errs && errs->is_array()) {
        for (const json::value& e : errs->get_array()) {
          if (!e.is_object()) continue;
          OT_ASSIGN_OR_RETURN(const Shape* err, Resolve(e.get_object(), op.name + ".errors"));
          op.errors.push_back(err);
        }
      }
      op.deprecated = GetBool(op_def, "deprecated");
      std::string authtype = GetString(op_def, "authtype");
      op.auth_none = authtype == "none";
      if (const json::value* auth = op_def.if_contains("auth"); auth && auth->is_array()) {
        for (const json::value& a : auth->get_array()) {
          if (a.is_string() && a.get_string() == "smithy.api#noAuth") op.auth_none = true;
        }
      }
      model.operations_.emplace(op.name, std::move(op));
    }
    return Status::Ok();
  }

  Status BuildPaginators(const json::object& doc) {
    const json::object* pagination = GetObject(doc, "pagination");
    if (pagination == nullptr) return InvalidInputError("paginators document lacks 'pagination'");
    auto strings = [](const json::object& obj, std::string_view key) {
      std::vector<std::string> out;
      const json::value* v = obj.if_contains(key);
      if (v == nullptr) return out;
      if (v->is_string()) out.emplace_back(v->get_string());
      if (v->is_array()) {
        for (const json::value& s : v->get_array()) {
          if (s.is_string()) out.emplace_back(s.get_string());
        }
      }
      return out;
    };
    for (const auto& [op, def] : *pagination) {
      if (!def.is_object()) continue;
      ServiceModel::Paginator p;
      p.input_token = strings(def.get_object(), "input_token");
      p.output_token = strings(def.get_object(), "output_token");
      p.limit_key = GetString(def.get_object(), "limit_key");
      model.paginators_.emplace(std::string(op), std::move(p));
    }
    return Status::Ok();
  }
};

Result<std::unique_ptr<Registry>> Registry::Load(const std::vector<Source>& sources) {
  auto registry = std::make_unique<Registry>();
  for (const Source& source : sources) {
    OT_ASSIGN_OR_RETURN(json::object doc, ParseDocument(source.service_json, "service model"));
    auto service = std::make_unique<ServiceModel>();
    ModelBuilder builder{*service};
    OT_RETURN_IF_ERROR(builder.Build(doc));
    if (!source.paginators_json.empty()) {
      OT_ASSIGN_OR_RETURN(json::object pag, ParseDocument(source.paginators_json, "paginators"));
      OT_RETURN_IF_ERROR(builder.BuildPaginators(pag));
    }
    registry->services_.push_back(std::move(service));
  }
  return registry;
}

const Registry& Registry::Embedded() {
  static const Registry* const kRegistry = [] {
    std::vector<Source> sources;
    for (const internal::EmbeddedModelFile& f : internal::EmbeddedModelFiles()) {
      sources.push_back({f.service_json, f.paginators_json});
    }
    auto loaded = Load(sources);
    // INVARIANT: the embedded models are committed files checked by model_test; a failure here
    // is a build defect, not an input error, so stopping is the only sensible outcome.
    if (!loaded.ok()) {
      std::fprintf(stderr, "orgtwin: embedded API models failed to load: %s\n",
                   loaded.status().ToString().c_str());
      std::abort();
    }
    return std::move(loaded).value().release();
  }();
  return *kRegistry;
}

const ServiceModel* Registry::BySigningName(std::string_view name) const {
  for (const auto& s : services_) {
    if (s->signing_name == name) return s.get();
  }
  return nullptr;
}

const ServiceModel* Registry::ByEndpointPrefix(std::string_view prefix) const {
  for (const auto& s : services_) {
    if (s->endpoint_prefix == prefix) return s.get();
  }
  return nullptr;
}

const ServiceModel* Registry::ByTargetPrefix(std::string_view prefix) const {
  if (prefix.empty()) return nullptr;
  for (const auto& s : services_) {
    if (s->target_prefix == prefix) return s.get();
  }
  return nullptr;
}

const ServiceModel* Registry::ByApiVersion(std::string_view api_version) const {
  for (const auto& s : services_) {
    if (s->protocol == Protocol::kQuery && s->api_version == api_version) return s.get();
  }
  for (const auto& s : services_) {
    if (s->api_version == api_version) return s.get();
  }
  return nullptr;
}

std::vector<const ServiceModel*> Registry::services() const {
  std::vector<const ServiceModel*> out;
  out.reserve(services_.size());
  for (const auto& s : services_) out.push_back(s.get());
  return out;
}

}  // namespace orgtwin::model
