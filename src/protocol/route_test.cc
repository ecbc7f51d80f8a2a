#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace orgtwin::protocol {
namespace {

const model::Registry& Reg() { return model::Registry::Embedded(); }

HttpRequest Form(std::string body, std::string auth = "") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  if (!auth.empty()) r.headers.emplace_back("Authorization", std::move(auth));
  r.body = std::move(body);
  return r;
}

TEST(RouteTest, JsonTarget) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"x-amz-target", "AWSOrganizationsV20161128.ListAccounts"}};
  RouteOutcome out = Route(Reg(), r);
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.routed.operation->name, "ListAccounts");

  r.headers = {{"X-Amz-Target", "AWSOrganizationsV20161128.NoSuchOp"}};
  out = Route(Reg(), r);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, "UnknownOperationException");
  EXPECT_EQ(out.routed.service, Reg().BySigningName("organizations"));

  r.headers = {{"X-Amz-Target", "Nope.ListAccounts"}};
  out = Route(Reg(), r);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.routed.service, nullptr);
}

TEST(RouteTest, QueryByVersionAndByCredentialScope) {
  RouteOutcome iam = Route(Reg(), Form("Action=GetUser&Version=2010-05-08"));
  ASSERT_TRUE(iam.ok);
  EXPECT_EQ(iam.routed.service->signing_name, "iam");
  EXPECT_FALSE(iam.routed.params.empty());

  RouteOutcome sts = Route(Reg(), Form("Action=GetCallerIdentity",
                                       "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/"
                                       "aws4_request, SignedHeaders=host, Signature=x"));
  ASSERT_TRUE(sts.ok);
  EXPECT_EQ(sts.routed.service->signing_name, "sts");

  HttpRequest get;
  get.method = "GET";
  get.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  RouteOutcome by_get = Route(Reg(), get);
  ASSERT_TRUE(by_get.ok);
  EXPECT_EQ(by_get.routed.operation->name, "GetCallerIdentity");

  RouteOutcome unknown = Route(Reg(), Form("Action=Frobnicate&Version=2010-05-08"));
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.error.code, "InvalidAction");
  EXPECT_EQ(unknown.error.message, "Could not find operation Frobnicate for version 2010-05-08");
}

}  // namespace
}  // namespace orgtwin::protocol
