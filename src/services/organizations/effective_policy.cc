#include "services/organizations/effective_policy.h"

#include <map>
#include <memory>
#include <utility>

namespace orgtwin::services::organizations {
namespace {

namespace json = boost::json;

constexpr unsigned kAssign = 1;
constexpr unsigned kAppend = 2;
constexpr unsigned kRemove = 4;
constexpr unsigned kAllOps = kAssign | kAppend | kRemove;

constexpr std::string_view kChildControl = "@@operators_allowed_for_child_policies";

bool IsValueOperator(std::string_view key) {
  return key == "@@assign" || key == "@@append" || key == "@@remove";
}

bool HasValueOperator(const json::object& obj) {
  for (const auto& member : obj) {
    if (IsValueOperator(member.key())) return true;
  }
  return false;
}

// The operators a @@operators_allowed_for_child_policies list allows.
unsigned AllowedMask(const json::value& list) {
  if (!list.is_array()) return kAllOps;
  unsigned mask = 0;
  for (const json::value& item : list.as_array()) {
    if (!item.is_string()) continue;
    std::string_view op = item.as_string();
    if (op == "@@all") mask |= kAllOps;
    if (op == "@@assign") mask |= kAssign;
    if (op == "@@append") mask |= kAppend;
    if (op == "@@remove") mask |= kRemove;
  }
  return mask;
}

json::array AsArray(const json::value& v) {
  if (v.is_array()) return v.as_array();
  json::array out;
  if (!v.is_null()) out.push_back(v);
  return out;
}

bool Contains(const json::array& list, const json::value& v) {
  for (const json::value& item : list) {
    if (item == v) return true;
  }
  return false;
}

struct Node {
  bool is_leaf = false;
  json::value value;
  // Children in first-seen order (the rendered policy keeps the authors' order).
  std::vector<std::string> order;
  std::map<std::string, std::unique_ptr<Node>> children;
  // Operators that later (descendant) policies may still use on this node and below.
  unsigned allowed = kAllOps;

  Node& Child(const std::string& key) {
    auto it = children.find(key);
    if (it != children.end()) return *it->second;
    order.push_back(key);
    auto [inserted, unused] = children.emplace(key, std::make_unique<Node>());
    return *inserted->second;
  }
};

void ApplyLeaf(Node& node, const json::object& ops, unsigned mask) {
  if (const json::value* v = ops.if_contains("@@assign"); v != nullptr && (mask & kAssign)) {
    node.is_leaf = true;
    node.value = *v;
  }
  if (const json::value* v = ops.if_contains("@@append"); v != nullptr && (mask & kAppend)) {
    json::array merged = node.is_leaf ? AsArray(node.value) : json::array();
    for (const json::value& item : AsArray(*v)) {
      if (!Contains(merged, item)) merged.push_back(item);
    }
    node.is_leaf = true;
    node.value = std::move(merged);
  }
  if (const json::value* v = ops.if_contains("@@remove"); v != nullptr && (mask & kRemove)) {
    if (node.is_leaf && node.value.is_array()) {
      json::array removed = AsArray(*v);
      json::array kept;
      for (const json::value& item : node.value.as_array()) {
        if (!Contains(removed, item)) kept.push_back(item);
      }
      node.value = std::move(kept);
    } else {
      // Removing a scalar (or everything) drops the inherited leaf.
      node.is_leaf = false;
      node.value = nullptr;
    }
  }
}

void Apply(Node& node, const json::object& policy, unsigned inherited) {
  const unsigned mask = inherited & node.allowed;
  for (const auto& member : policy) {
    std::string key(member.key());
    if (key == kChildControl) continue;  // applied after this policy's own changes
    const json::value& v = member.value();
    Node& child = node.Child(key);
    if (v.is_object() && HasValueOperator(v.as_object())) {
      ApplyLeaf(child, v.as_object(), mask & child.allowed);
      if (const json::value* control = v.as_object().if_contains(kChildControl)) {
        child.allowed &= AllowedMask(*control);
      }
    } else if (v.is_object()) {
      Apply(child, v.as_object(), mask);
    } else if (mask & child.allowed & kAssign) {
      // AWS-COMPAT: a bare value (or an @@ key such as @@enforced_for) behaves as @@assign.
      child.is_leaf = true;
      child.value = v;
    }
  }
  if (const json::value* control = policy.if_contains(kChildControl)) {
    node.allowed &= AllowedMask(*control);
  }
}

json::value Render(const Node& node) {
  if (node.is_leaf) return node.value;
  json::object out;
  for (const std::string& key : node.order) {
    const Node& child = *node.children.at(key);
    if (!child.is_leaf && child.children.empty()) continue;  // removed or never set
    out[key] = Render(child);
  }
  return out;
}

Status Malformed() {
  return InvalidInputError(
             "The provided policy document does not meet the grammar requirements of the "
             "specified policy type.")
      .WithAwsCode("MalformedPolicyDocumentException");
}

Status ValidateNode(const json::object& obj, int depth) {
  if (depth > 32) return Malformed();
  for (const auto& member : obj) {
    std::string_view key = member.key();
    const json::value& v = member.value();
    if (key.substr(0, 2) == "@@") {
      if (key == kChildControl) {
        if (!v.is_array()) return Malformed();
        for (const json::value& item : v.as_array()) {
          if (!item.is_string()) return Malformed();
          std::string_view op = item.as_string();
          if (op != "@@all" && op != "@@none" && !IsValueOperator(op)) return Malformed();
        }
        continue;
      }
      if (!IsValueOperator(key) && key != "@@enforced_for" && key != "@@action") {
        return Malformed();
      }
      if (v.is_object()) return Malformed();  // operator arguments are values or lists
      continue;
    }
    if (key.empty()) return Malformed();
    if (v.is_object()) OT_RETURN_IF_ERROR(ValidateNode(v.as_object(), depth + 1));
  }
  return Status::Ok();
}

}  // namespace

boost::json::object MergeManagementPolicies(const std::vector<boost::json::object>& policies) {
  Node root;
  for (const json::object& policy : policies) Apply(root, policy, kAllOps);
  json::value rendered = Render(root);
  return rendered.is_object() ? rendered.as_object() : json::object();
}

Result<boost::json::object> ParseManagementPolicy(std::string_view content) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value parsed = json::parse(content, ec, {}, options);
  if (ec || !parsed.is_object() || parsed.as_object().empty()) return Malformed();
  OT_RETURN_IF_ERROR(ValidateNode(parsed.as_object(), 0));
  return parsed.as_object();
}

}  // namespace orgtwin::services::organizations
