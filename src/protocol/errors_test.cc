#include <gtest/gtest.h>

#include "protocol/protocol.h"

namespace orgtwin::protocol {
namespace {

const model::ServiceModel* ModelOf(const char* name) {
  return model::Registry::Embedded().BySigningName(name);
}

TEST(ErrorFromStatusTest, ModeledErrorTakesCodeAndStatusFromModel) {
  AwsError e = ErrorFromStatus(
      ModelOf("iam"),
      NotFoundError("The role with name x cannot be found.").WithAwsCode("NoSuchEntity"));
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.http_status, 404);
  // The shape name reaches the wire code too.
  e = ErrorFromStatus(ModelOf("iam"),
                      AlreadyExistsError("exists").WithAwsCode("EntityAlreadyExistsException"));
  EXPECT_EQ(e.code, "EntityAlreadyExists");
  EXPECT_EQ(e.http_status, 409);
  e = ErrorFromStatus(ModelOf("account"),
                      NotFoundError("none").WithAwsCode("ResourceNotFoundException"));
  EXPECT_EQ(e.http_status, 404);
}

TEST(ErrorFromStatusTest, FieldsAreCarried) {
  AwsError e =
      ErrorFromStatus(ModelOf("organizations"), InvalidInputError("bad")
                                                    .WithAwsCode("InvalidInputException")
                                                    .WithField("Reason", "INVALID_PATTERN"));
  EXPECT_EQ(e.code, "InvalidInputException");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.fields.at("Reason"), "INVALID_PATTERN");
  e = ErrorFromStatus(ModelOf("organizations"),
                      InternalError("boom").WithAwsCode("ServiceException"));
  EXPECT_EQ(e.http_status, 500);
}

TEST(ErrorFromStatusTest, AuthErrorsArePerProtocol) {
  Status sig = UnauthenticatedError("sig").WithAwsCode("SignatureDoesNotMatch");
  AwsError q = ErrorFromStatus(ModelOf("sts"), sig);
  EXPECT_EQ(q.code, "SignatureDoesNotMatch");
  EXPECT_EQ(q.http_status, 403);
  AwsError j = ErrorFromStatus(ModelOf("organizations"), sig);
  EXPECT_EQ(j.code, "InvalidSignatureException");
  EXPECT_EQ(j.http_status, 400);
  AwsError r = ErrorFromStatus(ModelOf("account"), sig);
  EXPECT_EQ(r.code, "InvalidSignatureException");
  EXPECT_EQ(r.http_status, 403);
  // Either spelling in, the protocol's spelling out.
  AwsError back = ErrorFromStatus(
      ModelOf("iam"), UnauthenticatedError("x").WithAwsCode("UnrecognizedClientException"));
  EXPECT_EQ(back.code, "InvalidClientTokenId");
  EXPECT_EQ(back.http_status, 403);
  AwsError denied = ErrorFromStatus(ModelOf("account"), AccessDeniedError("no"));
  EXPECT_EQ(denied.code, "AccessDeniedException");
  EXPECT_EQ(denied.http_status, 403);
  AwsError iam_denied = ErrorFromStatus(ModelOf("iam"), AccessDeniedError("no"));
  EXPECT_EQ(iam_denied.code, "AccessDenied");
  EXPECT_EQ(iam_denied.http_status, 403);
}

TEST(ErrorFromStatusTest, GenericCategories) {
  AwsError e = ErrorFromStatus(nullptr, InternalError("bug"));
  EXPECT_EQ(e.code, "InternalFailure");
  EXPECT_EQ(e.http_status, 500);
  EXPECT_FALSE(e.sender_fault);
  e = ErrorFromStatus(ModelOf("sts"), UnavailableError("busy"));
  EXPECT_EQ(e.code, "ServiceUnavailable");
  EXPECT_EQ(e.http_status, 503);
  e = ErrorFromStatus(ModelOf("iam"), NotFoundError("gone"));
  EXPECT_EQ(e.code, "NoSuchEntity");
  e = ErrorFromStatus(ModelOf("iam"), LimitExceededError("too many"));
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.http_status, 409);
  e = ErrorFromStatus(ModelOf("cloudtrail"),
                      InvalidInputError("x").WithAwsCode("SerializationException"));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.http_status, 400);
}

}  // namespace
}  // namespace orgtwin::protocol
