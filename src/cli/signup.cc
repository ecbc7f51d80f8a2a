#include "cli/signup.h"

#include <boost/json.hpp>

#include "cli/twin_http.h"

namespace orgtwin::cli {

CLI::App* AddSignupCommand(CLI::App& app, SignupOptions& options) {
  CLI::App* signup =
      app.add_subcommand("signup", "Sign up a standalone account on a running orgtwin");
  signup->add_option("--endpoint", options.endpoint, "orgtwin URL, http(s)://host:port")
      ->capture_default_str();
  signup->add_option("--email", options.email, "the root user's email")->required();
  signup->add_option("--name", options.name, "the account name")->required();
  signup->add_option("--root-password", options.password,
                     "the root user's console password (none until a reset without it)");
  signup->add_option("--partition", options.partition,
                     "the partition the account lives in: aws (default), aws-cn, aws-us-gov, "
                     "aws-iso, aws-iso-b; its keys work only in that partition's regions");
  signup->add_flag("--no-payment-method", options.no_payment_method,
                   "leave out the payment method (leaving an organization then fails)");
  signup->add_flag("--no-contact-info", options.no_contact_info,
                   "leave out contact information and phone verification");
  return signup;
}

int RunSignup(const SignupOptions& options) {
  boost::json::object body{{"Email", options.email},
                           {"AccountName", options.name},
                           {"PaymentMethod", !options.no_payment_method},
                           {"ContactInformation", !options.no_contact_info}};
  if (!options.password.empty()) body["Password"] = options.password;
  if (!options.partition.empty()) body["Partition"] = options.partition;
  return PrintAnswer("signup", PostJson(options.endpoint, "/_orgtwin/signup", body));
}

}  // namespace orgtwin::cli
