// IAM's newer identity-provider and credential members through @aws-sdk/client-iam (Debian's
// botocore 1.29 predates them): a SAML provider's assertion-decryption keys (AddPrivateKey,
// RemovePrivateKey, PrivateKeyList, AssertionEncryptionMode) and a Bedrock API key with
// CredentialAgeDays. The IdP certificate and the private key were made with the openssl CLI.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient, CreateSAMLProviderCommand, GetSAMLProviderCommand, UpdateSAMLProviderCommand,
  DeleteSAMLProviderCommand, CreateUserCommand, DeleteUserCommand,
  CreateServiceSpecificCredentialCommand, ListServiceSpecificCredentialsCommand,
  DeleteServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { errorOf, startServer } from "./orgtwin_server.mjs";

const ACCOUNT = "123456789012";
const IDP_CERT = "MIIBjDCCATGgAwIBAgIUZ4FzE92HbytYkhA4PmH4bof1sTgwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPaWRwLmV4YW1wbGUuY29tMCAXDTI2MTIwNTEzNDg0MloYDzIxMjYxMTExMTM0ODQyWjAaMRgwFgYDVQQDDA9pZHAuZXhhbXBsZS5jb20wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARyu2QtJFOBetQEc0Tl9xOr79z1ejyLi/FtUSOeq7Ju7XjgzQ+blQp6GwZvJgJmgJRjFnyl+5d+U8Ky4s8/kfXLo1MwUTAdBgNVHQ4EFgQUSeHlKRwUHYvb6hC5L6JCsfiXSbQwHwYDVR0jBBgwFoAUSeHlKRwUHYvb6hC5L6JCsfiXSbQwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA4q6hI1+AkW4ULZfIkgGVWl0BJoqvtqybU2KzZwGgc6ICIQDdewBVcJp0IwS+SGEK6o6Mv4USh++qXGVdOO+QlbecaQ==";
const DECRYPTION_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCv/8LNnu7FqggJ
/dVzhjUNXWH4uIOyI2W2+WXQHXax4jHbgDPEMw0LKUQTwCV9xGn2uxZtjIwzM2BB
vKOjrfvBspJjrg3MF6UXGBYg7X5cUUlKvTpGuT4SgH9Js0GLQybxV61XJ8fnvhsI
Q8ME48mKgVODcaEJsnUtCPJ88+wQ0YfZspKZOXXW6bjbMNpdhcPpXkFVzOsffOMS
bsuVzZF9Mg9fdH+ZmF8ZY58h4EZRGtH8Cy998FWophkwOUtD1+kiS0h40vSgmv2r
jxC9tOv5SKKa0lM6vpdKsQvkfxZzzjghMrjrm85pqbmFfx24H5okMUA/d/FOttF+
34o097KfAgMBAAECggEAOLVLks5VeBofqfyAVM9W8731jdsCEBlosiqsvABqWMmd
r/CgfWTHnKOIvGZqjhoF3IqOoPCq0eqJZtT90wUBu/kqQvT3nB24Q3cu1iA/2UYV
u/+5scUJM5P0r44THeieuR+7ifwW5NwzwJd41HAC5d5ixtULguDd8YtS+qDrnMUk
pBuxornsduT8UnrW/Dqc9vEfxlvqPSZQckc6EWHPRGQwo1w+aC8xMfDPF+0cEtns
4kIt2c06i/jxNNRHqnRCBjMP42lahBpd+yUwKrYNHrAXqseOWReB67rFu6PlCphm
s62gXBLYiKmq17iVVYWupOTNRrB+yGt3K3eKxNuB9QKBgQDyhV86xmR52hT3PRw8
QGsRSPUw7MQ/pvxOOg6pJQI7uc7puQQaNQZ2IHzxDevR8AoKaS6eIfsMtbfpPr9j
JYcQuvqamFVcjrnl5Er30QUlRIJa85VOHcEAzZLMTX0tHfWWKBHvrXC82cOnHjff
y8e991PEPVc/T99BxJ3u5i49VQKBgQC5x+d/fFN1IANl1UBYtRkVQSB60OWy/g0Q
bBIUvwCucr6AUbFvFIZy8e4hGagKvOYiIDez6qv3LnMS5Ip3k2J1681/syvLIJeb
YcGX2Y9B+N/IaNTU2t9Ny4dgF+G/EV5wbLHbsSRysXi23MJe5zV1Wepsg9MgDRV0
mLul9ZAQIwKBgBzraJKyq7KYHd3prJ9Gsz3JbGucID7S481UQQFMh3qlypW2WVXi
stWNRDjehxtuu1PIfSWgObanSLoIoHvrMrL9CPs8ZRl3b5WJZqMsiqeKBt1fpJM/
Gw/Ec9fm+aFSrEFun8zr6sCqWxlnkhQe0b/GaXfCNNA47w+Bqa+eRS9NAoGBAIo3
db3dS2IaXSzICUV2BqFPgNCe1iXi6OlM3e7dY65l4+En5jBUPusJnza1FdZXT4gY
HBkZALO3tRlbOsFXv6snsg3NyUkoiGKryhIlZHWaqTM6+w0ZgYUpZSBS5Dr4uyA9
Xd2q3wkNjFfPyjQ9JAKY0NXHBa4Uzd+fOgxws6utAoGBANhI4O8CCtQSpP5mOHU3
rDJt26m1H7OKhEFFlcga+Ug9hhV9XSQp+xXkZfPVmyAqwzHFhYEKC7ppttMCDu0l
ENefZUHidIPOH0tWbq6BWNgv+A/SzI5qHjNOABhgVn4Bm+fos1q38G/ek5DF6LY+
/UPKjJ0gSA/IRGXWj3M+e/ZJ
-----END PRIVATE KEY-----
`;

function metadata() {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${IDP_CERT}</ds:X509Certificate>
      </ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/saml/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/saml/sso/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

let server;
let iam;
before(async () => {
  server = await startServer();
  iam = new IAMClient({
    endpoint: server.endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
});
after(async () => { await server.stop(); });

async function expectError(promise, name, status) {
  const err = await errorOf(promise);
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata.httpStatusCode, status);
  return err;
}

test("a SAML provider's decryption keys and encryption mode", async () => {
  assert.ok(metadata().length >= 1000);
  // Required needs a key to decrypt with.
  await expectError(iam.send(new CreateSAMLProviderCommand({
    Name: "enc-idp", SAMLMetadataDocument: metadata(), AssertionEncryptionMode: "Required",
  })), "InvalidInputException", 400);
  const { SAMLProviderArn: arn } = await iam.send(new CreateSAMLProviderCommand({
    Name: "enc-idp", SAMLMetadataDocument: metadata(), AssertionEncryptionMode: "Allowed",
    AddPrivateKey: DECRYPTION_KEY,
  }));
  assert.equal(arn, `arn:aws:iam::${ACCOUNT}:saml-provider/enc-idp`);
  let got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  assert.equal(got.AssertionEncryptionMode, "Allowed");
  assert.match(got.SAMLProviderUUID, /^[A-Z0-9]{22,64}$/);
  assert.equal(got.PrivateKeyList.length, 1);
  const [first] = got.PrivateKeyList;
  assert.match(first.KeyId, /^[A-Z0-9]{22,64}$/);
  assert.ok(first.Timestamp instanceof Date);

  // A second key, then a third one is over the quota of two.
  await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn,
                                                 AddPrivateKey: DECRYPTION_KEY,
                                                 AssertionEncryptionMode: "Required" }));
  await expectError(iam.send(new UpdateSAMLProviderCommand({
    SAMLProviderArn: arn, AddPrivateKey: DECRYPTION_KEY })), "LimitExceededException", 409);
  await expectError(iam.send(new UpdateSAMLProviderCommand({
    SAMLProviderArn: arn, AddPrivateKey: "not a key" })), "InvalidInputException", 400);
  got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  assert.equal(got.AssertionEncryptionMode, "Required");
  assert.equal(got.PrivateKeyList.length, 2);

  await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn,
                                                 RemovePrivateKey: first.KeyId }));
  got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  assert.deepEqual(got.PrivateKeyList.map((k) => k.KeyId).includes(first.KeyId), false);
  await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
});

test("a Bedrock API key expires after CredentialAgeDays", async () => {
  await iam.send(new CreateUserCommand({ UserName: "js-bedrock" }));
  const created = (await iam.send(new CreateServiceSpecificCredentialCommand({
    UserName: "js-bedrock", ServiceName: "bedrock.amazonaws.com", CredentialAgeDays: 30,
  }))).ServiceSpecificCredential;
  assert.equal(created.ServiceCredentialAlias, `js-bedrock-at-${ACCOUNT}`);
  assert.ok(created.ServiceCredentialSecret.startsWith("ABSK"));
  assert.equal(created.ServicePassword, undefined);
  const days = (created.ExpirationDate - created.CreateDate) / 86400000;
  assert.equal(days, 30);
  const listed = (await iam.send(new ListServiceSpecificCredentialsCommand({
    UserName: "js-bedrock" }))).ServiceSpecificCredentials;
  assert.deepEqual(listed.map((c) => c.ServiceCredentialAlias), [created.ServiceCredentialAlias]);
  assert.equal(listed[0].ServiceCredentialSecret, undefined);
  await iam.send(new DeleteServiceSpecificCredentialCommand({
    UserName: "js-bedrock", ServiceSpecificCredentialId: created.ServiceSpecificCredentialId }));
  await iam.send(new DeleteUserCommand({ UserName: "js-bedrock" }));
});
