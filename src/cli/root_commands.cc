#include "cli/root_commands.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string_view>

#include <boost/json.hpp>

#include "cli/twin_http.h"
#include "client/credentials_file.h"
#include "client/http_transport.h"
#include "client/profiles.h"

namespace orgtwin::cli {
namespace {

namespace json = boost::json;

// The password, never from argv: one line of stdin, else $ORGTWIN_PASSWORD.
Result<std::string> ReadPassword(bool from_stdin) {
  std::string password;
  if (from_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (const char* env = std::getenv("ORGTWIN_PASSWORD"); env != nullptr) {
    password = env;
  }
  if (password.empty()) {
    return InvalidInputError(from_stdin ? "no password on standard input"
                                        : "no password: use --password-stdin or ORGTWIN_PASSWORD");
  }
  return password;
}

// Where the AWS CLI reads credentials from: $AWS_SHARED_CREDENTIALS_FILE (a leading `~/` is
// $HOME, as the CLI expands it), else ~/.aws/credentials.
Result<std::string> CredentialsFilePath() {
  const char* home = std::getenv("HOME");
  std::string path;
  if (const char* file = std::getenv("AWS_SHARED_CREDENTIALS_FILE");
      file != nullptr && *file != '\0') {
    path = file;
  } else {
    path = "~/.aws/credentials";
  }
  if (path.rfind("~/", 0) == 0) {
    if (home == nullptr || *home == '\0') {
      return InvalidInputError("HOME is not set: set AWS_SHARED_CREDENTIALS_FILE");
    }
    path = std::string(home) + path.substr(1);
  }
  return path;
}

// The console session of a sign-in answer as profile `profile`, for `aws --profile`.
Status WriteSessionProfile(const std::string& answer, const std::string& profile) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(answer, ec);
  const json::object* object = parsed.if_object();
  const json::value* credentials = object != nullptr ? object->if_contains("Credentials") : nullptr;
  if (ec || credentials == nullptr || !credentials->is_object()) {
    return InvalidInputError("the sign-in answer has no Credentials: " + answer);
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [member, key] : {std::pair{"AccessKeyId", "aws_access_key_id"},
                                    std::pair{"SecretAccessKey", "aws_secret_access_key"},
                                    std::pair{"SessionToken", "aws_session_token"}}) {
    const json::value* value = credentials->as_object().if_contains(member);
    if (value == nullptr || !value->is_string()) {
      return InvalidInputError(std::string("the sign-in answer has no Credentials.") + member);
    }
    values.emplace_back(key, std::string(value->as_string()));
  }
  OT_ASSIGN_OR_RETURN(std::string path, CredentialsFilePath());
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code made;
  if (!parent.empty()) std::filesystem::create_directories(parent, made);
  if (made) return InvalidInputError("cannot create " + parent.string() + ": " + made.message());
  OT_RETURN_IF_ERROR(client::WriteIniSection(path, profile, values));
  std::fprintf(stderr, "orgtwin signin: wrote profile %s to %s\n", profile.c_str(), path.c_str());
  return Status::Ok();
}

int RunSignin(const RootOptions& options) {
  const bool by_email = !options.email.empty();
  const bool by_user = !options.account.empty() || !options.user.empty();
  if (by_email == by_user || (by_user && (options.account.empty() || options.user.empty()))) {
    return Fail("signin", "give --email (the root user) or --account and --user (an IAM user)");
  }
  auto password = ReadPassword(options.password_stdin);
  if (!password.ok()) return Fail("signin", password.status().message());
  json::object body;
  if (by_email) {
    body["Email"] = options.email;
  } else {
    body["AccountId"] = options.account;
    body["UserName"] = options.user;
  }
  body["Password"] = *password;
  if (!options.mfa_code.empty()) body["MfaCode"] = options.mfa_code;
  if (!options.mfa_serial.empty()) body["MfaSerialNumber"] = options.mfa_serial;
  if (!options.new_password.empty()) body["NewPassword"] = options.new_password;
  if (!options.parties.empty()) {
    body["Parties"] = json::array(options.parties.begin(), options.parties.end());
  }
  const auto answer = PostJson(options.endpoint, "/_orgtwin/console/signin", body);
  const int code = PrintAnswer("signin", answer);
  if (code != 0 || options.session_profile.empty()) return code;
  const Status written = WriteSessionProfile(answer->body, options.session_profile);
  return written.ok() ? 0 : Fail("signin", written.message());
}

int RunInbox(const RootOptions& options) {
  json::object body{{"Address", options.target}};
  if (!options.party.empty()) body["Party"] = options.party;
  return PrintAnswer("inbox", PostJson(options.endpoint, "/_orgtwin/mailboxes/list", body));
}

int RunPhone(const RootOptions& options) {
  if (options.answer.empty() != options.digits.empty()) {
    return Fail("phone", "--answer CALL_ID and --digits D go together");
  }
  json::object body{{"PhoneNumber", options.target}};
  if (!options.party.empty()) body["Party"] = options.party;
  if (options.answer.empty()) {
    return PrintAnswer("phone", PostJson(options.endpoint, "/_orgtwin/phones/list", body));
  }
  body["CallId"] = options.answer;
  body["Digits"] = options.digits;
  return PrintAnswer("phone", PostJson(options.endpoint, "/_orgtwin/phones/answer", body));
}

// The profile's credentials as the AWS CLI resolves them; a role profile assumes its role on
// this twin.
Result<client::Credentials> ResolveAdmin(const RootOptions& options) {
  OT_ASSIGN_OR_RETURN(client::AwsConfigFiles files, client::AwsConfigFiles::Load());
  client::ClientOptions base;
  base.endpoint_url = options.endpoint;
  client::ProfileResolverOptions resolver_options;
  resolver_options.make_client =
      client::MakeClientFactory(base, std::make_shared<client::HttpTransport>());
  client::ProfileResolver resolver(std::move(files), std::move(resolver_options));
  OT_ASSIGN_OR_RETURN(client::ResolvedProfile resolved, resolver.Resolve(options.admin_profile));
  return resolved.credentials;
}

// The custody answer's members, read leniently: a missing or mistyped one prints as empty.
const json::array& ArrayAt(const json::object& object, std::string_view key) {
  static const json::array kEmpty;
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_array() ? value->as_array() : kEmpty;
}

std::string StringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

std::string Joined(const json::array& list, std::string_view separator) {
  std::string out;
  for (const json::value& item : list) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += separator;
    out += std::string_view(item.as_string());
  }
  return out;
}

// Per goal, each minimal set of parties that reaches it and the steps they take.
void PrintCustodyText(const json::object& custody) {
  std::printf("Account %s, root email %s\n", StringAt(custody, "AccountId").c_str(),
              StringAt(custody, "RootEmail").c_str());
  std::printf("Parties: %s\n", Joined(ArrayAt(custody, "Parties"), ", ").c_str());
  for (const json::value& goal : ArrayAt(custody, "Goals")) {
    if (!goal.is_object()) continue;
    const json::object& g = goal.as_object();
    std::printf("\n%s: %s\n", StringAt(g, "Goal").c_str(), StringAt(g, "Description").c_str());
    const json::array& coalitions = ArrayAt(g, "Coalitions");
    if (coalitions.empty()) std::printf("  no set of parties can\n");
    for (const json::value& coalition : coalitions) {
      if (!coalition.is_object()) continue;
      std::printf("  %s\n", Joined(ArrayAt(coalition.as_object(), "Parties"), " + ").c_str());
      int n = 0;
      for (const json::value& step : ArrayAt(coalition.as_object(), "Steps")) {
        if (step.is_string()) std::printf("    %d. %s\n", ++n, step.as_string().c_str());
      }
    }
  }
  const json::array& not_modeled = ArrayAt(custody, "NotModeled");
  if (!not_modeled.empty()) std::printf("\nNot modeled:\n");
  for (const json::value& line : not_modeled) {
    if (line.is_string()) std::printf("  - %s\n", line.as_string().c_str());
  }
}

int RunCustody(const RootOptions& options) {
  auto credentials = ResolveAdmin(options);
  if (!credentials.ok()) {
    return Fail("custody",
                "profile " + options.admin_profile + ": " + credentials.status().message());
  }
  const auto answer = PostJson(options.endpoint, "/_orgtwin/custody",
                               json::object{{"AccountId", options.target}}, &*credentials);
  if (!options.text || !answer.ok() || answer->status != 200) {
    return PrintAnswer("custody", answer);
  }
  boost::system::error_code ec;
  const json::value parsed = json::parse(answer->body, ec);
  if (ec || !parsed.is_object()) return Fail("custody", "not a JSON object: " + answer->body);
  PrintCustodyText(parsed.as_object());
  return 0;
}

CLI::Option* AddEndpoint(CLI::App* command, RootOptions& options) {
  return command->add_option("--endpoint", options.endpoint, "orgtwin URL, http(s)://host:port")
      ->capture_default_str();
}

}  // namespace

bool RootCommands::AnyParsed() const {
  return signin->parsed() || inbox->parsed() || phone->parsed() || custody->parsed();
}

RootCommands AddRootCommands(CLI::App& app, RootOptions& options) {
  RootCommands commands;
  CLI::App* signin =
      app.add_subcommand("signin", "Sign in to a running orgtwin's console as a root or IAM user");
  AddEndpoint(signin, options);
  CLI::Option* email = signin->add_option("--email", options.email, "the root user's email");
  CLI::Option* account =
      signin->add_option("--account", options.account, "an IAM user's account ID or alias");
  CLI::Option* user = signin->add_option("--user", options.user, "the IAM user's name");
  email->excludes(account)->excludes(user);
  account->needs(user);
  user->needs(account);
  signin->add_flag("--password-stdin", options.password_stdin,
                   "read the password from one line of stdin (else $ORGTWIN_PASSWORD)");
  signin->add_option("--mfa-code", options.mfa_code, "the MFA device's current code");
  signin->add_option("--mfa-serial", options.mfa_serial, "which MFA device (when several)");
  signin->add_option("--new-password", options.new_password,
                     "the new password, when the current one must be changed");
  signin->add_option("--party", options.parties, "the parties acting (repeatable)");
  signin->add_option("--profile", options.session_profile,
                     "write the console session as this profile into the AWS credentials file");
  commands.signin = signin;

  CLI::App* inbox = app.add_subcommand("inbox", "List a mailbox's messages on a running orgtwin");
  AddEndpoint(inbox, options);
  inbox->add_option("ADDRESS", options.target, "the email address")->required();
  inbox->add_option("--party", options.party, "the party reading (its mailbox factor)");
  commands.inbox = inbox;

  CLI::App* phone =
      app.add_subcommand("phone", "List a phone's calls, or answer one, on a running orgtwin");
  AddEndpoint(phone, options);
  phone->add_option("NUMBER", options.target, "the phone number")->required();
  phone->add_option("--party", options.party, "the party holding the phone");
  phone->add_option("--answer", options.answer, "the call to answer");
  phone->add_option("--digits", options.digits, "the digits to type into the answered call");
  commands.phone = phone;

  CLI::App* custody = app.add_subcommand(
      "custody", "Who can reach an account's root user on a running orgtwin (administrator)");
  AddEndpoint(custody, options);
  custody->add_option("ACCOUNT_ID", options.target, "the account")->required();
  custody->add_option("--profile", options.admin_profile, "the profile to sign as")
      ->capture_default_str();
  custody->add_flag("--text", options.text, "a readable summary instead of the JSON");
  commands.custody = custody;
  return commands;
}

int RunRootCommand(const RootCommands& commands, const RootOptions& options) {
  if (commands.signin->parsed()) return RunSignin(options);
  if (commands.inbox->parsed()) return RunInbox(options);
  if (commands.phone->parsed()) return RunPhone(options);
  return RunCustody(options);
}

}  // namespace orgtwin::cli
