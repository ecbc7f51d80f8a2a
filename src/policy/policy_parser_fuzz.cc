// libFuzzer target: the policy parser/validator/compiler must never crash, hang or recurse
// without bound on any input, for every flavour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/compiled_policy.h"
#include "policy/document.h"
#include "policy/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using orgtwin::policy::Flavour;
  for (Flavour f :
       {Flavour::kIdentity, Flavour::kResource, Flavour::kTrust, Flavour::kScp, Flavour::kRcp}) {
    orgtwin::policy::ParseOptions options;
    options.size_rule = orgtwin::policy::SizeRule::kNone;
    auto doc = orgtwin::policy::ParsePolicy(text, f, options);
    if (doc.ok()) {
      auto compiled = orgtwin::policy::Compile(*doc, f, "fuzz");
      if (compiled.ok()) {
        // Exercise matching too: wildcards, variables and conditions against a fixed request.
        static const orgtwin::policy::Request kRequest = [] {
          orgtwin::policy::Request r;
          r.principal.arn = "arn:aws:iam::111111111111:user/alice";
          r.principal.account = "111111111111";
          r.action = "s3:GetObject";
          r.resource = "arn:aws:s3:::bucket/alice/key";
          r.context.SetMulti("aws:TagKeys", {"a", "b"});
          r.epoch_seconds = 1800000000;
          r.DeriveGlobalKeys();
          return r;
        }();
        orgtwin::policy::PolicySet set;
        if (f == Flavour::kScp) {
          set.has_scp = true;
          set.scp = {{*compiled}};
        } else if (f == Flavour::kRcp) {
          set.has_rcp = true;
          set.rcp = {{*compiled}};
        } else if (f == Flavour::kIdentity) {
          set.identity.push_back(*compiled);
        } else {
          set.resource = *compiled;
        }
        auto decision = orgtwin::policy::Evaluate(kRequest, set);
        (void)decision;
      }
    }
  }
  return 0;
}
