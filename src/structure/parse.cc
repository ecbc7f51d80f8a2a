#include "structure/parse.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include "policy/catalog.h"
#include "policy/document.h"

namespace orgtwin::structure {
namespace {

namespace json = boost::json;

// AWS's limit on OU nesting below the root (Organizations quotas: "OU maximum nesting in a
// root: 5 levels").
constexpr int kMaxOuDepth = 5;
// A YAML value deeper than this is refused rather than walked: an alias can make the node graph
// cyclic, and no policy document or structure section legitimately nests this far.
constexpr int kMaxValueDepth = 64;

std::string Quote(std::string_view value) { return "`" + std::string(value) + "`"; }

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& key : keys) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

template <typename Map>
std::string KeysOf(const Map& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& [key, value] : map) keys.push_back(key);
  return keys.empty() ? "none declared" : JoinKeys(keys);
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The pattern CreateAccount checks (`[^\s@]+@[^\s@]+\.[^\s@]+`, 6 to 64 characters).
bool IsEmail(std::string_view text) {
  if (text.size() < 6 || text.size() > 64) return false;
  if (std::any_of(text.begin(), text.end(), IsSpace)) return false;
  size_t at = text.find('@');
  if (at == 0 || at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = text.substr(at + 1);
  size_t dot = domain.rfind('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

// PutAlternateContact's PhoneNumber pattern: `^[\s0-9()+-]+$`.
bool IsPhone(std::string_view text) {
  return !text.empty() && text.size() <= 25 && std::all_of(text.begin(), text.end(), [](char c) {
    return IsSpace(c) || (c >= '0' && c <= '9') || c == '(' || c == ')' || c == '+' || c == '-';
  });
}

// A key the file names parties and accounts by: used in references such as `payer/RoleName`,
// so it has no '/'.
bool IsKey(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!word(text.front())) return false;
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return word(c) || c == '-' || c == '_'; });
}

// IAM's user, group, role and policy name pattern `[\w+=,.@-]+`.
bool IsIamName(std::string_view text, size_t max_length) {
  if (text.empty() || text.size() > max_length) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
  });
}

// IAM's path: `/` or `/a/b/`, printable ASCII, at most 512 characters.
bool IsIamPath(std::string_view text) {
  if (text.empty() || text.size() > 512 || text.front() != '/' || text.back() != '/') return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

// sts:ExternalId's pattern `[\w+=,.@:\/-]*`, 2 to 1224 characters.
bool IsExternalId(std::string_view text) {
  if (text.size() < 2 || text.size() > 1224) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == ':' || c == '/' ||
           c == '-';
  });
}

// The whole of a regular file; nullopt if it is missing, unreadable or not a file (a directory
// opens as a stream on Linux and reads as empty, which would pass for an empty document).
std::optional<std::string> ReadRegularFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::string_view TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "empty";
}

// One `key: value` of a mapping, with the key's node for its place.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A mapping whose keys were checked against the allowed ones.
struct Fields {
  YAML::Node node;
  std::vector<Entry> entries;

  const Entry* Find(std::string_view key) const {
    for (const Entry& entry : entries) {
      if (entry.key == key) return &entry;
    }
    return nullptr;
  }
};

class StructureReader {
 public:
  StructureReader(std::string_view file_name, std::filesystem::path base_dir)
      : file_(file_name), base_dir_(std::move(base_dir)) {}

  Result<Structure> Read(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      Error(FromMark(e.mark), "yaml syntax error: " + e.msg);
      return Finish();
    }
    try {
      ReadTop(root);
    } catch (const YAML::Exception& e) {
      // yaml-cpp throws only on misuse or broken input it accepted at load time; either way the
      // file, not the caller, is at fault, so it is reported like any other problem.
      Error(FromMark(e.mark), "yaml error: " + e.msg);
    }
    if (errors_.empty()) CheckReferences();
    return Finish();
  }

 private:
  // --- diagnostics ---

  SourceLocation FromMark(const YAML::Mark& mark) const {
    SourceLocation location{file_, 1, 1};
    if (!mark.is_null()) {
      location.line = mark.line + 1;
      location.column = mark.column + 1;
    }
    return location;
  }
  SourceLocation At(const YAML::Node& node) const {
    return node.IsDefined() ? FromMark(node.Mark()) : SourceLocation{file_, 1, 1};
  }
  void Error(const SourceLocation& where, std::string message) {
    errors_.push_back({where, std::move(message)});
  }
  void Error(const YAML::Node& node, std::string message) { Error(At(node), std::move(message)); }

  Result<Structure> Finish() {
    if (errors_.empty()) return std::move(structure_);
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    std::string message;
    for (const auto& [where, what] : errors_) {
      if (!message.empty()) message += "\n";
      message += where.ToString() + ": " + what;
    }
    return InvalidInputError(std::move(message));
  }

  // --- shape ---

  // The entries of a mapping, in file order; a non-mapping, a non-scalar key or a repeated key
  // is reported (yaml-cpp keeps both copies of a repeated key, so it is caught here).
  std::optional<std::vector<Entry>> Entries(const YAML::Node& node, const std::string& context) {
    if (!node.IsMap()) {
      Error(node, context + " must be a mapping, not " + std::string(TypeName(node)));
      return std::nullopt;
    }
    std::vector<Entry> entries;
    std::map<std::string, SourceLocation> seen;
    for (const auto& pair : node) {
      if (!pair.first.IsScalar()) {
        Error(pair.first, context + ": keys must be strings");
        continue;
      }
      std::string key = pair.first.Scalar();
      auto [it, inserted] = seen.emplace(key, At(pair.first));
      if (!inserted) {
        Error(pair.first, context + ": duplicate key " + Quote(key) + " (first at " +
                              it->second.ToString() + ")");
        continue;
      }
      entries.push_back({key, pair.first, pair.second});
    }
    return entries;
  }

  // A mapping with a fixed set of keys: unknown keys are reported with the allowed ones, and
  // each of `required` that is absent is reported at the mapping.
  std::optional<Fields> ReadFields(const YAML::Node& node, const std::string& context,
                                   std::initializer_list<std::string_view> allowed,
                                   std::initializer_list<std::string_view> required = {}) {
    auto entries = Entries(node, context);
    if (!entries) return std::nullopt;
    Fields fields{node, {}};
    for (Entry& entry : *entries) {
      if (std::find(allowed.begin(), allowed.end(), entry.key) == allowed.end()) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        Error(entry.key_node, context + ": unknown key " + Quote(entry.key) +
                                  " (allowed: " + JoinKeys(names) + ")");
        continue;
      }
      fields.entries.push_back(std::move(entry));
    }
    for (std::string_view key : required) {
      if (fields.Find(key) == nullptr) {
        Error(node, context + ": missing required key " + Quote(key));
      }
    }
    return fields;
  }

  std::optional<std::string> ReadString(const YAML::Node& node, const std::string& context) {
    if (!node.IsScalar()) {
      Error(node, context + " must be a string, not " + std::string(TypeName(node)));
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<LocatedString> ReadLocated(const YAML::Node& node, const std::string& context) {
    auto value = ReadString(node, context);
    if (!value) return std::nullopt;
    return LocatedString{std::move(*value), At(node)};
  }

  // YAML 1.2's core schema booleans only: `yes`/`on` are strings there, and an ambiguous flag
  // in an ownership file is worth an error.
  std::optional<bool> ReadBool(const YAML::Node& node, const std::string& context) {
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
      return node.Scalar() == "true";
    }
    Error(node, context + " must be true or false");
    return std::nullopt;
  }

  std::optional<int> ReadInt(const YAML::Node& node, const std::string& context) {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      int value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size()) return value;
    }
    Error(node, context + " must be an integer");
    return std::nullopt;
  }

  std::vector<LocatedString> ReadStringList(const YAML::Node& node, const std::string& context) {
    std::vector<LocatedString> out;
    if (!node.IsSequence()) {
      Error(node, context + " must be a sequence, not " + std::string(TypeName(node)));
      return out;
    }
    for (const YAML::Node& item : node) {
      if (auto value = ReadLocated(item, "each item of " + context)) out.push_back(*value);
    }
    return out;
  }

  // A string field of `fields`, or "" when absent.
  std::string StringField(const Fields& fields, std::string_view key, const std::string& context) {
    const Entry* entry = fields.Find(key);
    if (entry == nullptr) return "";
    return ReadString(entry->value, context + ": " + Quote(key)).value_or("");
  }

  // --- YAML -> JSON, for policy documents written as mappings ---

  std::optional<json::value> ToJson(const YAML::Node& node, const std::string& context,
                                    int depth = 0) {
    if (depth > kMaxValueDepth) {
      Error(node, context + " nests too deeply (a YAML alias that contains itself?)");
      return std::nullopt;
    }
    switch (node.Type()) {
      case YAML::NodeType::Map: {
        json::object object;
        for (const auto& pair : node) {
          if (!pair.first.IsScalar()) {
            Error(pair.first, context + ": keys must be strings");
            return std::nullopt;
          }
          auto value = ToJson(pair.second, context, depth + 1);
          if (!value) return std::nullopt;
          object[pair.first.Scalar()] = std::move(*value);
        }
        return object;
      }
      case YAML::NodeType::Sequence: {
        json::array array;
        for (const YAML::Node& item : node) {
          auto value = ToJson(item, context, depth + 1);
          if (!value) return std::nullopt;
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Scalar:
        return ScalarToJson(node);
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        break;
    }
    return json::value(nullptr);
  }

  // A quoted scalar (yaml-cpp tags it "!") is always a string; a plain one is typed as YAML
  // 1.2's core schema types it, so `Version: 2012-10-17` stays a string and `true` a boolean.
  static json::value ScalarToJson(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (node.Tag() == "!") return json::value(json::string(text));
    if (text == "true" || text == "false") return json::value(text == "true");
    if (text == "null" || text == "~") return json::value(nullptr);
    int64_t integer = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
      return json::value(integer);
    }
    return json::value(json::string(text));
  }

  // A document written as a JSON string (verbatim) or a YAML mapping (serialized).
  std::optional<std::string> ReadDocument(const YAML::Node& node, const std::string& context) {
    if (node.IsScalar()) return node.Scalar();
    if (!node.IsMap()) {
      Error(node,
            context + " must be a mapping or a JSON string, not " + std::string(TypeName(node)));
      return std::nullopt;
    }
    auto value = ToJson(node, context);
    if (!value) return std::nullopt;
    return json::serialize(*value);
  }

  // Checks `document` parses as a policy of `flavour`; reports the engine's reason at `node`.
  void CheckIamDocument(const std::string& document, policy::Flavour flavour,
                        const policy::ParseOptions& options, const YAML::Node& node,
                        const std::string& context) {
    Result<policy::PolicyDocument> parsed = policy::ParsePolicy(document, flavour, options);
    if (!parsed.ok()) {
      Error(node, context + " is not a valid " + std::string(policy::FlavourName(flavour)) +
                      " policy: " + parsed.status().message());
    }
  }

  // --- sections ---

  void ReadTop(const YAML::Node& root) {
    if (root.IsNull()) {
      Error(SourceLocation{file_, 1, 1}, "the structure file is empty");
      return;
    }
    structure_.file = file_;
    structure_.location = At(root);
    // `anchors` holds whatever the author aliases elsewhere; it means nothing by itself.
    auto fields =
        ReadFields(root, "the structure file",
                   {"name", "parties", "accounts", "organization", "iam", "alternate_contacts",
                    "custody", "billing_visibility", "alerts", "expect", "anchors"},
                   {"name", "parties", "accounts"});
    if (!fields) return;
    for (const Entry& entry : fields->entries) {
      const YAML::Node& value = entry.value;
      if (entry.key == "name") {
        structure_.name = ReadString(value, "`name`").value_or("");
      } else if (entry.key == "parties") {
        ReadParties(value);
      } else if (entry.key == "accounts") {
        ReadAccounts(value);
      } else if (entry.key == "organization") {
        ReadOrganization(value);
      } else if (entry.key == "iam") {
        ReadIam(value);
      } else if (entry.key == "alternate_contacts") {
        ReadAlternateContacts(value);
      } else if (entry.key == "custody") {
        ReadCustody(value);
      } else if (entry.key == "billing_visibility") {
        structure_.billing_visibility = ReadStringList(value, "`billing_visibility`");
      } else if (entry.key == "alerts") {
        ReadAlerts(value);
      } else if (entry.key == "expect") {
        for (const LocatedString& text : ReadStringList(value, "`expect`")) {
          structure_.expectations.push_back({text.value, text.location});
        }
      }
    }
  }

  // Checks a key of a keyed section (parties, accounts) and reports a bad one.
  bool CheckKey(const Entry& entry, std::string_view kind) {
    if (!IsKey(entry.key)) {
      Error(entry.key_node, std::string(kind) + " key " + Quote(entry.key) +
                                " must be 1 to 64 letters, digits, `-` or `_`, starting with a "
                                "letter or digit");
      return false;
    }
    return true;
  }

  void ReadParties(const YAML::Node& node) {
    auto entries = Entries(node, "`parties`");
    if (!entries) return;
    for (const Entry& entry : *entries) {
      if (!CheckKey(entry, "party")) continue;
      std::string context = "party " + Quote(entry.key);
      auto fields = ReadFields(entry.value, context,
                               {"name", "profile", "profiles", "contacts", "alert_emails"},
                               {"name", "profile"});
      if (!fields) continue;
      Party party;
      party.key = entry.key;
      party.location = At(entry.key_node);
      party.display_name = StringField(*fields, "name", context);
      party.profile = StringField(*fields, "profile", context);
      if (const Entry* profiles = fields->Find("profiles")) {
        if (auto accounts = Entries(profiles->value, context + ": `profiles`")) {
          for (const Entry& account : *accounts) {
            if (auto profile = ReadLocated(account.value, context + ": `profiles`")) {
              party.account_profiles.emplace(account.key, *profile);
            }
          }
        }
      }
      if (const Entry* contacts = fields->Find("contacts"))
        ReadContacts(contacts->value, context, party);
      if (const Entry* alerts = fields->Find("alert_emails")) {
        for (LocatedString& email : ReadStringList(alerts->value, context + ": `alert_emails`")) {
          if (!IsEmail(email.value)) {
            Error(email.location,
                  context + ": alert email " + Quote(email.value) + " is not an email address");
          }
          party.alert_emails.push_back(std::move(email));
        }
      }
      structure_.parties.emplace(entry.key, std::move(party));
    }
  }

  void ReadContacts(const YAML::Node& node, const std::string& party_context, Party& party) {
    auto fields =
        ReadFields(node, party_context + ": `contacts`", {"billing", "operations", "security"});
    if (!fields) return;
    for (const Entry& entry : fields->entries) {
      std::string context = party_context + ": " + entry.key + " contact";
      auto contact_fields = ReadFields(entry.value, context, {"name", "title", "email", "phone"},
                                       {"name", "title", "email", "phone"});
      if (!contact_fields) continue;
      Contact contact;
      contact.location = At(entry.value);
      contact.name = StringField(*contact_fields, "name", context);
      contact.title = StringField(*contact_fields, "title", context);
      contact.email = StringField(*contact_fields, "email", context);
      contact.phone = StringField(*contact_fields, "phone", context);
      if (const Entry* email = contact_fields->Find("email");
          email != nullptr && !contact.email.empty() && !IsEmail(contact.email)) {
        Error(email->value, context + ": " + Quote(contact.email) + " is not an email address");
      }
      if (const Entry* phone = contact_fields->Find("phone");
          phone != nullptr && !contact.phone.empty() && !IsPhone(contact.phone)) {
        Error(phone->value, context + ": " + Quote(contact.phone) +
                                " is not a phone number (digits, spaces, `+`, `-`, parentheses)");
      }
      ContactType type = entry.key == "billing"      ? ContactType::kBilling
                         : entry.key == "operations" ? ContactType::kOperations
                                                     : ContactType::kSecurity;
      party.contacts.emplace(type, std::move(contact));
    }
  }

  void ReadAccounts(const YAML::Node& node) {
    auto entries = Entries(node, "`accounts`");
    if (!entries) return;
    for (const Entry& entry : *entries) {
      if (!CheckKey(entry, "account")) continue;
      std::string context = "account " + Quote(entry.key);
      if (entry.key == "root") {
        // Attachments name the organization's root as `root`; an account of that name would be
        // ambiguous there.
        Error(entry.key_node, context + ": `root` is reserved for the organization's root");
        continue;
      }
      auto fields =
          ReadFields(entry.value, context, {"owner", "name", "email", "id", "create", "starts_in"},
                     {"owner", "name", "email"});
      if (!fields) continue;
      Account account;
      account.key = entry.key;
      account.location = At(entry.key_node);
      if (const Entry* owner = fields->Find("owner")) {
        account.owner = ReadLocated(owner->value, context + ": `owner`").value_or(LocatedString{});
      }
      account.name = StringField(*fields, "name", context);
      if (const Entry* starts_in = fields->Find("starts_in")) {
        account.starts_in = ReadLocated(starts_in->value, context + ": `starts_in`");
      }
      if (const Entry* name = fields->Find("name");
          name != nullptr && name->value.IsScalar() &&
          (account.name.empty() || account.name.size() > 50)) {
        Error(name->value, context + ": `name` must be 1 to 50 characters");
      }
      account.email = StringField(*fields, "email", context);
      if (const Entry* email = fields->Find("email");
          email != nullptr && email->value.IsScalar() && !IsEmail(account.email)) {
        Error(email->value, context + ": `email` " + Quote(account.email) +
                                " is not an email address (6 to 64 characters, name@domain.tld)");
      }
      const Entry* id = fields->Find("id");
      const Entry* create = fields->Find("create");
      bool to_create = false;
      if (create != nullptr)
        to_create = ReadBool(create->value, context + ": `create`").value_or(false);
      if (id != nullptr) {
        std::string text = ReadString(id->value, context + ": `id`").value_or("");
        if (text.size() != 12 || !IsDigits(text)) {
          Error(id->value, context + ": `id` " + Quote(text) +
                               " is not an AWS account ID (12 digits; quote it in YAML)");
        }
        account.existing_id = text;
      }
      if ((id != nullptr) == to_create) {
        Error(entry.value, context +
                               ": give either `id` (an account that exists) or "
                               "`create: true` (one to be created)");
      }
      structure_.accounts.emplace(entry.key, std::move(account));
    }
  }

  void ReadOrganization(const YAML::Node& node) {
    const std::string context = "`organization`";
    auto fields = ReadFields(
        node, context,
        {"management_account", "administered_by", "feature_set", "units", "placement", "policies"},
        {"management_account"});
    if (!fields) return;
    Organization organization;
    organization.location = At(node);
    organization.management_account = StringField(*fields, "management_account", context);
    if (const Entry* admin = fields->Find("administered_by")) {
      if (auto party = ReadLocated(admin->value, context + ": `administered_by`")) {
        organization.administered_by = *party;
      }
    }
    if (const Entry* feature_set = fields->Find("feature_set")) {
      std::string text = ReadString(feature_set->value, context + ": `feature_set`").value_or("");
      if (text == "ALL") {
        organization.feature_set = FeatureSet::kAll;
      } else if (text == "CONSOLIDATED_BILLING") {
        organization.feature_set = FeatureSet::kConsolidatedBilling;
      } else {
        Error(feature_set->value,
              context + ": `feature_set` " + Quote(text) + " is not ALL or CONSOLIDATED_BILLING");
      }
    }
    if (const Entry* units = fields->Find("units")) {
      std::vector<std::pair<YAML::Node, std::string>> ancestors;
      organization.units = ReadUnits(units->value, "", 1, ancestors);
    }
    if (const Entry* placement = fields->Find("placement")) {
      if (auto entries = Entries(placement->value, context + ": `placement`")) {
        for (const Entry& entry : *entries) {
          auto path = ReadString(entry.value, context + ": placement of " + Quote(entry.key));
          if (!path) continue;
          organization.placements.push_back(
              {entry.key, *path == "root" ? "" : *path, At(entry.key_node)});
        }
      }
    }
    if (const Entry* policies = fields->Find("policies")) {
      if (!policies->value.IsSequence()) {
        Error(policies->value, context + ": `policies` must be a sequence, not " +
                                   std::string(TypeName(policies->value)));
      } else {
        for (const YAML::Node& item : policies->value) {
          if (auto policy = ReadOrganizationPolicy(item)) {
            organization.policies.push_back(std::move(*policy));
          }
        }
      }
    }
    structure_.organization = std::move(organization);
  }

  // `ancestors` are the OU nodes above this level with their paths: a YAML alias naming one of
  // them would make the tree infinite, which is reported as a cycle.
  std::vector<OrganizationalUnit> ReadUnits(
      const YAML::Node& node, const std::string& parent_path, int depth,
      std::vector<std::pair<YAML::Node, std::string>>& ancestors) {
    std::vector<OrganizationalUnit> units;
    std::string where = parent_path.empty() ? "the root" : "OU " + Quote(parent_path);
    if (!node.IsSequence()) {
      Error(node,
            "the OUs under " + where + " must be a sequence, not " + std::string(TypeName(node)));
      return units;
    }
    std::map<std::string, SourceLocation> siblings;
    for (const YAML::Node& item : node) {
      for (const auto& [ancestor, ancestor_path] : ancestors) {
        if (ancestor.is(item)) {
          Error(item,
                "OU cycle: OU " + Quote(ancestor_path) + " contains itself through a YAML alias");
          return units;
        }
      }
      auto fields = ReadFields(item, "an OU under " + where, {"name", "children"}, {"name"});
      if (!fields) continue;
      OrganizationalUnit unit;
      unit.location = At(item);
      const Entry* name_entry = fields->Find("name");
      if (name_entry == nullptr) continue;
      unit.name = ReadString(name_entry->value, "OU name").value_or("");
      unit.path = parent_path.empty() ? unit.name : parent_path + "/" + unit.name;
      if (unit.name.empty() || unit.name.size() > 128 || unit.name.find('/') != std::string::npos ||
          unit.name == "root") {
        Error(name_entry->value, "OU name " + Quote(unit.name) +
                                     " must be 1 to 128 characters, without `/`, and not `root`");
        continue;
      }
      auto [previous, inserted] = siblings.emplace(unit.name, unit.location);
      if (!inserted) {
        Error(name_entry->value, "duplicate OU " + Quote(unit.path) + " (first at " +
                                     previous->second.ToString() + ")");
        continue;
      }
      if (depth > kMaxOuDepth) {
        Error(item, "OU " + Quote(unit.path) + " is " + std::to_string(depth) +
                        " levels below the root; AWS allows at most " +
                        std::to_string(kMaxOuDepth));
        continue;
      }
      if (const Entry* children = fields->Find("children")) {
        ancestors.emplace_back(item, unit.path);
        unit.children = ReadUnits(children->value, unit.path, depth + 1, ancestors);
        ancestors.pop_back();
      }
      units.push_back(std::move(unit));
    }
    return units;
  }

  std::optional<OrganizationPolicy> ReadOrganizationPolicy(const YAML::Node& node) {
    auto fields =
        ReadFields(node, "an organization policy",
                   {"name", "type", "description", "content", "file", "copy_from", "attach_to"},
                   {"name", "type"});
    if (!fields) return std::nullopt;
    OrganizationPolicy policy;
    policy.location = At(node);
    policy.name = StringField(*fields, "name", "an organization policy");
    std::string context = "policy " + Quote(policy.name);
    if (const Entry* name = fields->Find("name");
        name != nullptr && (policy.name.empty() || policy.name.size() > 128)) {
      Error(name->value, context + ": `name` must be 1 to 128 characters");
    }
    bool type_known = false;
    if (const Entry* type = fields->Find("type")) {
      std::string text = ReadString(type->value, context + ": `type`").value_or("");
      if (auto parsed = PolicyTypeFromName(text)) {
        policy.type = *parsed;
        type_known = true;
      } else {
        Error(type->value, context + ": unknown policy type " + Quote(text) +
                               " (allowed: SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, "
                               "TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY)");
      }
    }
    policy.description = StringField(*fields, "description", context);
    const Entry* content = fields->Find("content");
    const Entry* file = fields->Find("file");
    std::optional<std::string> document;
    if ((content == nullptr) == (file == nullptr)) {
      Error(node, context +
                      ": give either `content` (inline) or `file` (a path relative to the "
                      "structure file)");
    } else if (content != nullptr) {
      document = ReadDocument(content->value, context + ": `content`");
    } else {
      policy.content_file = ReadString(file->value, context + ": `file`").value_or("");
      document = ReadRelativeFile(policy.content_file, file->value, context);
    }
    // An empty document is checked too: it is as malformed as any other bad one.
    if (document) policy.content = std::move(*document);
    if (type_known && document) {
      CheckOrganizationPolicyContent(policy, content != nullptr ? content->value : file->value,
                                     context);
    }
    if (const Entry* copy_from = fields->Find("copy_from")) {
      policy.copy_from = ReadLocated(copy_from->value, context + ": `copy_from`");
    }
    if (const Entry* attach_to = fields->Find("attach_to")) {
      for (LocatedString& target : ReadStringList(attach_to->value, context + ": `attach_to`")) {
        // Resolved against accounts and OUs once the whole file is read.
        policy.attachments.push_back(
            {PolicyTarget::Kind::kRoot, std::move(target.value), std::move(target.location)});
      }
    }
    return policy;
  }

  std::optional<std::string> ReadRelativeFile(const std::string& relative, const YAML::Node& node,
                                              const std::string& context) {
    if (relative.empty()) {
      Error(node, context + ": `file` is empty");
      return std::nullopt;
    }
    std::filesystem::path path(relative);
    if (path.is_relative()) path = base_dir_ / path;
    std::optional<std::string> text = ReadRegularFile(path);
    if (!text) {
      Error(node, context + ": cannot read `file` " + Quote(relative) + " (looked for " +
                      Quote(path.lexically_normal().string()) + ")");
    }
    return text;
  }

  // SCPs and RCPs follow the IAM grammar and the policy engine checks them as AWS would; the
  // other types have grammars of their own (`@@assign` operators) that AWS checks on create, so
  // here they only need to be a JSON object.
  void CheckOrganizationPolicyContent(const OrganizationPolicy& policy, const YAML::Node& node,
                                      const std::string& context) {
    std::string what =
        context + ": content is not a valid " + std::string(PolicyTypeName(policy.type)) + ": ";
    if (policy.type == PolicyType::kServiceControl || policy.type == PolicyType::kResourceControl) {
      policy::Flavour flavour = policy.type == PolicyType::kServiceControl ? policy::Flavour::kScp
                                                                           : policy::Flavour::kRcp;
      Result<policy::PolicyDocument> parsed = policy::ParsePolicy(policy.content, flavour);
      if (!parsed.ok()) Error(node, what + parsed.status().message());
      return;
    }
    boost::system::error_code ec;
    json::value value = json::parse(policy.content, ec);
    if (ec) {
      Error(node, what + "invalid JSON (" + ec.message() + ")");
    } else if (!value.is_object()) {
      Error(node, what + "the document must be a JSON object");
    }
  }

  void ReadIam(const YAML::Node& node) {
    auto entries = Entries(node, "`iam`");
    if (!entries) return;
    for (const Entry& entry : *entries) {
      std::string context = "iam of " + Quote(entry.key);
      auto fields = ReadFields(entry.value, context, {"roles", "users", "groups"});
      if (!fields) continue;
      AccountIam iam;
      iam.account = entry.key;
      iam.location = At(entry.key_node);
      std::map<std::string, SourceLocation> role_names;
      std::map<std::string, SourceLocation> user_names;
      std::map<std::string, SourceLocation> group_names;
      if (const Entry* roles = fields->Find("roles")) {
        ForEachItem(roles->value, context + ": `roles`", [&](const YAML::Node& item) {
          if (auto role = ReadRole(item, entry.key);
              role && Unique(role_names, role->name, role->location, "role", entry.key)) {
            iam.roles.push_back(std::move(*role));
          }
        });
      }
      if (const Entry* users = fields->Find("users")) {
        ForEachItem(users->value, context + ": `users`", [&](const YAML::Node& item) {
          if (auto user = ReadUser(item, entry.key);
              user && Unique(user_names, user->name, user->location, "user", entry.key)) {
            iam.users.push_back(std::move(*user));
          }
        });
      }
      if (const Entry* groups = fields->Find("groups")) {
        ForEachItem(groups->value, context + ": `groups`", [&](const YAML::Node& item) {
          if (auto group = ReadGroup(item, entry.key);
              group && Unique(group_names, group->name, group->location, "group", entry.key)) {
            iam.groups.push_back(std::move(*group));
          }
        });
      }
      structure_.iam.emplace(entry.key, std::move(iam));
    }
  }

  template <typename Visit>
  void ForEachItem(const YAML::Node& node, const std::string& context, Visit visit) {
    if (!node.IsSequence()) {
      Error(node, context + " must be a sequence, not " + std::string(TypeName(node)));
      return;
    }
    for (const YAML::Node& item : node) visit(item);
  }

  bool Unique(std::map<std::string, SourceLocation>& seen, const std::string& name,
              const SourceLocation& where, std::string_view kind, const std::string& account) {
    auto [previous, inserted] = seen.emplace(name, where);
    if (!inserted) {
      Error(where, "duplicate " + std::string(kind) + " " + Quote(name) + " in " + Quote(account) +
                       " (first at " + previous->second.ToString() + ")");
    }
    return inserted;
  }

  // The name and path every IAM entity has; reports bad ones.
  void ReadNameAndPath(const Fields& fields, const std::string& kind, size_t max_name,
                       const std::string& account, std::string& name, std::string& path) {
    std::string context = kind + " in " + Quote(account);
    name = StringField(fields, "name", context);
    if (const Entry* entry = fields.Find("name");
        entry != nullptr && entry->value.IsScalar() && !IsIamName(name, max_name)) {
      Error(entry->value, context + ": name " + Quote(name) + " must be 1 to " +
                              std::to_string(max_name) + " of letters, digits and `+=,.@_-`");
    }
    if (const Entry* entry = fields.Find("path")) {
      path = ReadString(entry->value, context + ": `path`").value_or("/");
      if (!IsIamPath(path)) {
        Error(entry->value, context + ": path " + Quote(path) +
                                " must begin and end with `/` (printable ASCII, at most 512)");
      }
    }
  }

  std::vector<LocatedString> ReadManagedArns(const Fields& fields, const std::string& context) {
    std::vector<LocatedString> arns;
    const Entry* managed = fields.Find("managed");
    if (managed == nullptr) return arns;
    for (LocatedString& arn : ReadStringList(managed->value, context + ": `managed`")) {
      CheckPolicyArn(arn, context);
      arns.push_back(std::move(arn));
    }
    return arns;
  }

  // AWS managed policies must exist (the catalog holds every one); a customer managed policy
  // ARN names an account the file may not know, so only its shape is checked.
  void CheckPolicyArn(const LocatedString& arn, const std::string& context) {
    constexpr std::string_view kAwsManaged = "arn:aws:iam::aws:policy/";
    constexpr std::string_view kIamPrefix = "arn:aws:iam::";
    if (arn.value.rfind(kAwsManaged, 0) == 0) {
      if (policy::ManagedPolicies().FindByArn(arn.value) == nullptr) {
        Error(arn.location, context + ": unknown AWS managed policy " + Quote(arn.value));
      }
      return;
    }
    std::string_view rest = std::string_view(arn.value);
    bool customer_managed = rest.rfind(kIamPrefix, 0) == 0 &&
                            rest.size() > kIamPrefix.size() + 20 &&
                            IsDigits(rest.substr(kIamPrefix.size(), 12)) &&
                            rest.substr(kIamPrefix.size() + 12, 8) == ":policy/";
    if (!customer_managed) {
      Error(arn.location, context + ": " + Quote(arn.value) +
                              " is not a managed policy ARN (arn:aws:iam::aws:policy/NAME or "
                              "arn:aws:iam::ACCOUNT_ID:policy/NAME)");
    }
  }

  std::vector<InlinePolicy> ReadInlinePolicies(const Fields& fields, const std::string& context,
                                               policy::SizeRule size_rule,
                                               const std::string& entity_name) {
    std::vector<InlinePolicy> policies;
    const Entry* inline_entry = fields.Find("inline");
    if (inline_entry == nullptr) return policies;
    auto entries = Entries(inline_entry->value, context + ": `inline`");
    if (!entries) return policies;
    for (const Entry& entry : *entries) {
      std::string policy_context = context + ": inline policy " + Quote(entry.key);
      if (!IsIamName(entry.key, 128)) {
        Error(entry.key_node, policy_context +
                                  ": name must be 1 to 128 of letters, digits and "
                                  "`+=,.@_-`");
        continue;
      }
      auto document = ReadDocument(entry.value, policy_context);
      if (!document) continue;
      policy::ParseOptions options;
      options.size_rule = size_rule;
      options.entity_name = entity_name;
      CheckIamDocument(*document, policy::Flavour::kIdentity, options, entry.value, policy_context);
      policies.push_back({entry.key, std::move(*document), At(entry.key_node)});
    }
    return policies;
  }

  std::optional<Role> ReadRole(const YAML::Node& node, const std::string& account) {
    auto fields = ReadFields(node, "a role in " + Quote(account),
                             {"name", "path", "description", "trust", "managed", "inline",
                              "permissions_boundary", "max_session_duration"},
                             {"name", "trust"});
    if (!fields) return std::nullopt;
    Role role;
    role.location = At(node);
    ReadNameAndPath(*fields, "a role", 64, account, role.name, role.path);
    std::string context = "role " + Quote(role.name) + " in " + Quote(account);
    role.description = StringField(*fields, "description", context);
    if (const Entry* trust = fields->Find("trust")) role.trust = ReadTrust(trust->value, context);
    role.managed_policy_arns = ReadManagedArns(*fields, context);
    role.inline_policies =
        ReadInlinePolicies(*fields, context, policy::SizeRule::kRoleInline, role.name);
    if (const Entry* boundary = fields->Find("permissions_boundary")) {
      if (auto arn = ReadLocated(boundary->value, context + ": `permissions_boundary`")) {
        CheckPolicyArn(*arn, context);
        role.permissions_boundary_arn = std::move(*arn);
      }
    }
    if (const Entry* duration = fields->Find("max_session_duration")) {
      auto seconds = ReadInt(duration->value, context + ": `max_session_duration`");
      // IAM's MaxSessionDuration range, in seconds: one to twelve hours.
      if (seconds && (*seconds < 3600 || *seconds > 43200)) {
        Error(duration->value, context + ": `max_session_duration` must be 3600 to 43200 seconds");
      } else if (seconds) {
        role.max_session_duration_seconds = *seconds;
      }
    }
    return role;
  }

  // A trust policy (a mapping with `Statement`, or JSON text) or the short form naming account
  // keys, which becomes a document only once the accounts' IDs are known.
  RoleTrust ReadTrust(const YAML::Node& node, const std::string& role_context) {
    RoleTrust trust;
    trust.location = At(node);
    std::string context = role_context + ": `trust`";
    bool is_document = node.IsScalar() || (node.IsMap() && (node["Statement"] || node["Version"]));
    if (is_document) {
      if (auto document = ReadDocument(node, context)) {
        CheckIamDocument(*document, policy::Flavour::kTrust, {}, node, context);
        trust.document = std::move(*document);
      }
      return trust;
    }
    auto fields =
        ReadFields(node, context, {"accounts", "require_mfa", "external_id"}, {"accounts"});
    if (!fields) return trust;
    if (const Entry* accounts = fields->Find("accounts")) {
      trust.accounts = ReadStringList(accounts->value, context + ": `accounts`");
      if (accounts->value.IsSequence() && trust.accounts.empty()) {
        Error(accounts->value, context + ": `accounts` must name at least one account");
      }
    }
    if (const Entry* mfa = fields->Find("require_mfa")) {
      trust.require_mfa = ReadBool(mfa->value, context + ": `require_mfa`").value_or(false);
    }
    if (const Entry* external_id = fields->Find("external_id")) {
      trust.external_id = ReadString(external_id->value, context + ": `external_id`").value_or("");
      if (!IsExternalId(trust.external_id)) {
        Error(external_id->value, context +
                                      ": `external_id` must be 2 to 1224 of letters, "
                                      "digits and `+=,.@:/-`");
      }
    }
    return trust;
  }

  std::optional<User> ReadUser(const YAML::Node& node, const std::string& account) {
    auto fields =
        ReadFields(node, "a user in " + Quote(account),
                   {"name", "path", "groups", "managed", "inline", "may_assume"}, {"name"});
    if (!fields) return std::nullopt;
    User user;
    user.location = At(node);
    ReadNameAndPath(*fields, "a user", 64, account, user.name, user.path);
    std::string context = "user " + Quote(user.name) + " in " + Quote(account);
    if (const Entry* groups = fields->Find("groups")) {
      user.groups = ReadStringList(groups->value, context + ": `groups`");
    }
    user.managed_policy_arns = ReadManagedArns(*fields, context);
    user.inline_policies =
        ReadInlinePolicies(*fields, context, policy::SizeRule::kUserInline, user.name);
    if (const Entry* may_assume = fields->Find("may_assume")) {
      for (const LocatedString& reference :
           ReadStringList(may_assume->value, context + ": `may_assume`")) {
        size_t slash = reference.value.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == reference.value.size()) {
          Error(reference.location, context + ": `may_assume` entry " + Quote(reference.value) +
                                        " must be ACCOUNT_KEY/ROLE_NAME");
          continue;
        }
        user.may_assume.push_back({reference.value.substr(0, slash),
                                   reference.value.substr(slash + 1), reference.location});
      }
    }
    return user;
  }

  std::optional<Group> ReadGroup(const YAML::Node& node, const std::string& account) {
    auto fields = ReadFields(node, "a group in " + Quote(account),
                             {"name", "path", "managed", "inline"}, {"name"});
    if (!fields) return std::nullopt;
    Group group;
    group.location = At(node);
    ReadNameAndPath(*fields, "a group", 128, account, group.name, group.path);
    std::string context = "group " + Quote(group.name) + " in " + Quote(account);
    group.managed_policy_arns = ReadManagedArns(*fields, context);
    group.inline_policies =
        ReadInlinePolicies(*fields, context, policy::SizeRule::kGroupInline, group.name);
    return group;
  }

  void ReadAlternateContacts(const YAML::Node& node) {
    auto entries = Entries(node, "`alternate_contacts`");
    if (!entries) return;
    for (const Entry& entry : *entries) {
      std::string context = "alternate contacts of " + Quote(entry.key);
      auto fields = ReadFields(entry.value, context, {"billing", "operations", "security"});
      if (!fields) continue;
      AlternateContacts contacts;
      contacts.account = entry.key;
      contacts.location = At(entry.key_node);
      for (const Entry& field : fields->entries) {
        auto party = ReadLocated(field.value, context + ": " + Quote(field.key));
        if (!party) continue;
        ContactType type = field.key == "billing"      ? ContactType::kBilling
                           : field.key == "operations" ? ContactType::kOperations
                                                       : ContactType::kSecurity;
        contacts.party.emplace(type, std::move(*party));
      }
      structure_.alternate_contacts.emplace(entry.key, std::move(contacts));
    }
  }

  void ReadCustody(const YAML::Node& node) {
    auto entries = Entries(node, "`custody`");
    if (!entries) return;
    constexpr std::array<RootFactor, 5> kFactors = {
        RootFactor::kRootPassword, RootFactor::kRootMfa, RootFactor::kRootEmailMailbox,
        RootFactor::kPhone, RootFactor::kSecurityQuestions};
    for (const Entry& entry : *entries) {
      std::string context = "custody of " + Quote(entry.key);
      auto fields = ReadFields(
          entry.value, context,
          {"root_password", "root_mfa", "root_email_mailbox", "phone", "security_questions"});
      if (!fields) continue;
      Custody custody;
      custody.account = entry.key;
      custody.location = At(entry.key_node);
      for (RootFactor factor : kFactors) {
        const Entry* field = fields->Find(RootFactorName(factor));
        if (field == nullptr) continue;
        if (auto party = ReadLocated(field->value, context + ": " + Quote(field->key))) {
          custody.held.emplace(factor, std::move(*party));
        }
      }
      structure_.custody.emplace(entry.key, std::move(custody));
    }
  }

  void ReadAlerts(const YAML::Node& node) {
    ForEachItem(node, "`alerts`", [&](const YAML::Node& item) {
      auto fields = ReadFields(item, "an alert", {"event", "account", "notify"},
                               {"event", "account", "notify"});
      if (!fields) return;
      AlertRule rule;
      rule.location = At(item);
      if (const Entry* event = fields->Find("event")) {
        std::string text = ReadString(event->value, "an alert: `event`").value_or("");
        if (text != AlertEventName(AlertEvent::kRootLogin)) {
          Error(event->value, "an alert: unknown event " + Quote(text) + " (allowed: root_login)");
        }
      }
      if (const Entry* account = fields->Find("account")) {
        rule.account = ReadLocated(account->value, "an alert: `account`").value_or(LocatedString{});
      }
      if (const Entry* notify = fields->Find("notify")) {
        rule.notify = ReadStringList(notify->value, "an alert: `notify`");
      }
      structure_.alerts.push_back(std::move(rule));
    });
  }

  // --- references, once every section is read ---

  void CheckParty(const LocatedString& party, const std::string& context) {
    if (structure_.FindParty(party.value) == nullptr) {
      Error(party.location, context + ": unknown party " + Quote(party.value) +
                                " (parties: " + KeysOf(structure_.parties) + ")");
    }
  }

  bool CheckAccount(const std::string& account, const SourceLocation& where,
                    const std::string& context) {
    if (structure_.FindAccount(account) == nullptr) {
      Error(where, context + ": unknown account " + Quote(account) +
                       " (accounts: " + KeysOf(structure_.accounts) + ")");
      return false;
    }
    return true;
  }

  void CheckReferences() {
    CheckPartiesAndAccounts();
    if (structure_.organization) CheckOrganization(*structure_.organization);
    CheckIamReferences();
    for (const auto& [account, contacts] : structure_.alternate_contacts) {
      std::string context = "alternate contacts of " + Quote(account);
      CheckAccount(account, contacts.location, context);
      for (const auto& [type, party_key] : contacts.party) {
        const Party* party = structure_.FindParty(party_key.value);
        if (party == nullptr) {
          CheckParty(party_key, context);
        } else if (party->contacts.count(type) == 0) {
          Error(party_key.location, context + ": party " + Quote(party_key.value) + " has no " +
                                        std::string(ContactTypeName(type)) + " contact");
        }
      }
    }
    for (const auto& [account, custody] : structure_.custody) {
      std::string context = "custody of " + Quote(account);
      CheckAccount(account, custody.location, context);
      for (const auto& [factor, party] : custody.held) CheckParty(party, context);
    }
    for (const LocatedString& party : structure_.billing_visibility) {
      CheckParty(party, "`billing_visibility`");
    }
    for (const AlertRule& rule : structure_.alerts) {
      CheckAccount(rule.account.value, rule.account.location, "an alert");
      for (const LocatedString& party_key : rule.notify) {
        const Party* party = structure_.FindParty(party_key.value);
        if (party == nullptr) {
          CheckParty(party_key, "an alert");
        } else if (party->alert_emails.empty()) {
          Error(party_key.location,
                "an alert: party " + Quote(party_key.value) + " has no `alert_emails` to notify");
        }
      }
    }
  }

  void CheckPartiesAndAccounts() {
    // Two parties acting with one profile would act as one principal, and apply could no
    // longer show that each change is made by its owner.
    // In file order, so the second party to name a profile is the one reported.
    std::vector<const Party*> in_file_order;
    in_file_order.reserve(structure_.parties.size());
    for (const auto& [key, party] : structure_.parties) in_file_order.push_back(&party);
    std::sort(in_file_order.begin(), in_file_order.end(), [](const Party* a, const Party* b) {
      return std::pair(a->location.line, a->location.column) <
             std::pair(b->location.line, b->location.column);
    });
    std::map<std::string, const Party*> profiles;
    for (const Party* party : in_file_order) {
      auto [previous, inserted] = profiles.emplace(party->profile, party);
      if (!inserted && previous->second != party) {
        Error(party->location, "party " + Quote(party->key) + ": profile " + Quote(party->profile) +
                                   " is already the profile of party " +
                                   Quote(previous->second->key));
      }
      for (const auto& [account, profile] : party->account_profiles) {
        CheckAccount(account, profile.location, "party " + Quote(party->key) + ": `profiles`");
        auto [other, added] = profiles.emplace(profile.value, party);
        if (!added && other->second != party) {
          Error(profile.location, "party " + Quote(party->key) + ": profile " +
                                      Quote(profile.value) + " is already the profile of party " +
                                      Quote(other->second->key));
        }
      }
    }
    std::map<std::string, const Account*> ids;
    std::map<std::string, const Account*> emails;
    for (const auto& [key, account] : structure_.accounts) {
      std::string context = "account " + Quote(key);
      CheckParty(account.owner, context + ": `owner`");
      if (account.starts_in) {
        if (CheckAccount(account.starts_in->value, account.starts_in->location,
                         context + ": `starts_in`") &&
            (account.starts_in->value == key || !account.existing_id)) {
          Error(account.starts_in->location,
                context + ": `starts_in` names the management account of the organization an " +
                    "existing account is in before the transfer (not itself)");
        }
      }
      if (account.existing_id) {
        auto [previous, inserted] = ids.emplace(*account.existing_id, &account);
        if (!inserted) {
          Error(account.location, context + ": duplicate account ID " +
                                      Quote(*account.existing_id) + " (also account " +
                                      Quote(previous->second->key) + ")");
        }
      }
      // AWS: every account's root email address is unique across all of AWS.
      auto [previous, inserted] = emails.emplace(account.email, &account);
      if (!inserted) {
        Error(account.location, context + ": email " + Quote(account.email) +
                                    " is already the email of account " +
                                    Quote(previous->second->key));
      }
    }
  }

  void CheckOrganization(Organization& organization) {
    const std::string context = "`organization`";
    const std::string& management = organization.management_account;
    const bool management_known =
        CheckAccount(management, organization.location, context + ": `management_account`");
    if (!organization.administered_by.value.empty()) {
      CheckParty(organization.administered_by, context + ": `administered_by`");
    } else if (management_known) {
      organization.administered_by = structure_.FindAccount(management)->owner;
    }
    std::map<std::string, SourceLocation> placed;
    for (const Placement& placement : organization.placements) {
      std::string placement_context = "placement of " + Quote(placement.account);
      CheckAccount(placement.account, placement.location, placement_context);
      if (!placement.ou_path.empty() && organization.FindUnit(placement.ou_path) == nullptr) {
        Error(placement.location, placement_context + ": unknown OU " + Quote(placement.ou_path));
      }
      if (placement.account == management && !placement.ou_path.empty()) {
        Error(placement.location, placement_context +
                                      ": the management account stays in the root; it cannot "
                                      "move into an OU");
      }
      placed.emplace(placement.account, placement.location);
    }
    std::map<std::pair<PolicyType, std::string>, SourceLocation> names;
    for (OrganizationPolicy& policy : organization.policies) {
      std::string policy_context = "policy " + Quote(policy.name);
      auto [previous, inserted] =
          names.emplace(std::pair(policy.type, policy.name), policy.location);
      if (!inserted) {
        Error(policy.location, "duplicate " + std::string(PolicyTypeName(policy.type)) + " " +
                                   Quote(policy.name) + " (first at " +
                                   previous->second.ToString() + ")");
      }
      // Every policy type needs an organization with all features (EnablePolicyType fails
      // otherwise).
      if (organization.feature_set == FeatureSet::kConsolidatedBilling) {
        Error(policy.location, policy_context + ": " + std::string(PolicyTypeName(policy.type)) +
                                   " needs `feature_set: ALL`");
      }
      if (policy.copy_from) {
        CheckAccount(policy.copy_from->value, policy.copy_from->location,
                     policy_context + ": `copy_from`");
      }
      for (PolicyTarget& target : policy.attachments) {
        ResolveTarget(organization, placed, policy_context, target);
      }
    }
  }

  // `root`, an account key, or an OU path; an account must be in the organization.
  void ResolveTarget(const Organization& organization,
                     const std::map<std::string, SourceLocation>& placed,
                     const std::string& context, PolicyTarget& target) {
    if (target.name == "root") {
      target.kind = PolicyTarget::Kind::kRoot;
      target.name.clear();
      return;
    }
    bool is_account = structure_.FindAccount(target.name) != nullptr;
    bool is_unit = organization.FindUnit(target.name) != nullptr;
    if (is_account && is_unit) {
      Error(target.location, context + ": attachment " + Quote(target.name) +
                                 " names both an account and an OU; rename one of them");
    } else if (is_account) {
      target.kind = PolicyTarget::Kind::kAccount;
      if (target.name != organization.management_account && placed.count(target.name) == 0) {
        Error(target.location, context + ": account " + Quote(target.name) +
                                   " is not in the organization (add it to `placement`)");
      }
    } else if (is_unit) {
      target.kind = PolicyTarget::Kind::kOrganizationalUnit;
    } else {
      Error(target.location, context + ": attachment " + Quote(target.name) +
                                 " is not `root`, an account or an OU path");
    }
  }

  void CheckIamReferences() {
    for (const auto& [account, iam] : structure_.iam) {
      std::string context = "iam of " + Quote(account);
      CheckAccount(account, iam.location, context);
      for (const Role& role : iam.roles) {
        for (const LocatedString& trusted : role.trust.accounts) {
          CheckAccount(trusted.value, trusted.location,
                       "role " + Quote(role.name) + " in " + Quote(account) + ": `trust`");
        }
      }
      for (const User& user : iam.users) {
        std::string user_context = "user " + Quote(user.name) + " in " + Quote(account);
        for (const LocatedString& group : user.groups) {
          bool found = std::any_of(iam.groups.begin(), iam.groups.end(),
                                   [&](const Group& g) { return g.name == group.value; });
          if (!found) {
            Error(group.location, user_context + ": unknown group " + Quote(group.value) +
                                      " (declare it under `groups` of " + Quote(account) + ")");
          }
        }
        for (const RoleReference& reference : user.may_assume) {
          if (!CheckAccount(reference.account, reference.location,
                            user_context + ": `may_assume`")) {
            continue;
          }
          auto target = structure_.iam.find(reference.account);
          if (target == structure_.iam.end() ||
              target->second.FindRole(reference.role) == nullptr) {
            Error(reference.location, user_context + ": unknown role " + Quote(reference.role) +
                                          " in " + Quote(reference.account));
          }
        }
      }
    }
  }

  std::string file_;
  std::filesystem::path base_dir_;
  Structure structure_;
  std::vector<std::pair<SourceLocation, std::string>> errors_;
};

}  // namespace

Result<Structure> ParseStructure(std::string_view text, std::string_view file_name,
                                 const std::string& base_dir) {
  return StructureReader(file_name, base_dir).Read(text);
}

Result<Structure> LoadStructureFile(const std::string& path) {
  std::optional<std::string> text = ReadRegularFile(path);
  if (!text) return InvalidInputError(path + ": cannot read the structure file");
  std::filesystem::path base_dir = std::filesystem::path(path).parent_path();
  if (base_dir.empty()) base_dir = ".";
  return ParseStructure(*text, path, base_dir.string());
}

}  // namespace orgtwin::structure
