#!/usr/bin/env python3
"""Generates the Query-protocol conformance fixtures (fixtures.json, querytest-model.json).

Run by hand with the pyenv `python3` that has botocore 1.43.11 (the version models/ came from):

    python3 tests/conformance/protocol/query/generate_fixtures.py

botocore is the oracle, on both sides of the wire:
  * requests: botocore's own QuerySerializer (with its parameter validation) serializes each
    case and AWSRequest prepares the exact HTTP body; the fixture stores that request plus the
    neutral input (protocol/protocol.h) the C++ ParseInput must build from it;
  * responses / errors: each case carries an XML document written the way IAM/STS write it
    (pretty-printed, as on the wire); the script checks that botocore's QueryParser parses it
    into exactly the case's neutral output (timestamps to whole seconds, as AWS sends them) and
    stores botocore's parse. The C++ tests assert that SerializeOutput/SerializeError produce an
    XML document equivalent to that one (same elements, text and order; whitespace between
    elements ignored), so whatever botocore reads from AWS it reads from orgtwin.

ctest never runs this script: the C++ tests only read the JSON it writes.
"""
import base64
import calendar
import datetime
import json
import os
import sys
import textwrap

import botocore
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
UTC = datetime.timezone.utc

# A synthetic query-protocol model covering what IAM/STS do not use: flattened lists and maps,
# locationNames on members, list items and map keys/values, timestamps (iso8601 and
# unixTimestamp), doubles, longs and blobs.
TEST_MODEL = {
    'version': '2.0',
    'metadata': {
        'apiVersion': '2020-01-01', 'endpointPrefix': 'querytest', 'protocol': 'query',
        'serviceId': 'QueryTest', 'signatureVersion': 'v4', 'uid': 'querytest-2020-01-01',
        'xmlNamespace': 'https://querytest.example.com/doc/2020-01-01/',
    },
    'operations': {
        'Kitchen': {
            'name': 'Kitchen', 'http': {'method': 'POST', 'requestUri': '/'},
            'input': {'shape': 'KitchenShape'},
            'output': {'shape': 'KitchenShape', 'resultWrapper': 'KitchenResult'},
        },
        'NoOutput': {
            'name': 'NoOutput', 'http': {'method': 'POST', 'requestUri': '/'},
            'input': {'shape': 'NoOutputRequest'},
        },
    },
    'shapes': {
        'KitchenShape': {'type': 'structure', 'members': {
            'Name': {'shape': 'String'},
            'Count': {'shape': 'Integer'},
            'Big': {'shape': 'Long'},
            'Ratio': {'shape': 'Double'},
            'Enabled': {'shape': 'Boolean'},
            'When': {'shape': 'Timestamp'},
            'WhenEpoch': {'shape': 'Timestamp', 'timestampFormat': 'unixTimestamp'},
            'Data': {'shape': 'Blob'},
            'Items': {'shape': 'ItemList'},
            'Flat': {'shape': 'FlatList'},
            'FlatNamed': {'shape': 'FlatNamedList'},
            'Attributes': {'shape': 'NamedMap'},
            'Plain': {'shape': 'NestedMap'},
            'FlatMap': {'shape': 'FlatMap'},
            'Nested': {'shape': 'Nested'},
            'NestedList': {'shape': 'NestedList'},
            'Renamed': {'shape': 'String', 'locationName': 'WireName'},
        }},
        'NoOutputRequest': {'type': 'structure', 'members': {'Name': {'shape': 'String'}}},
        'Nested': {'type': 'structure', 'members': {
            'Label': {'shape': 'String'},
            'Inner': {'shape': 'Inner'},
        }},
        'Inner': {'type': 'structure', 'members': {'Values': {'shape': 'IntList'}}},
        'ItemList': {'type': 'list', 'member': {'shape': 'String', 'locationName': 'Item'}},
        'FlatList': {'type': 'list', 'member': {'shape': 'String'}, 'flattened': True},
        'FlatNamedList': {'type': 'list', 'member': {'shape': 'String', 'locationName': 'Thing'},
                          'flattened': True},
        'IntList': {'type': 'list', 'member': {'shape': 'Integer'}},
        'NestedList': {'type': 'list', 'member': {'shape': 'Nested'}},
        'NamedMap': {'type': 'map', 'key': {'shape': 'String', 'locationName': 'Name'},
                     'value': {'shape': 'String', 'locationName': 'Value'}},
        'NestedMap': {'type': 'map', 'key': {'shape': 'String'}, 'value': {'shape': 'Nested'}},
        'FlatMap': {'type': 'map', 'key': {'shape': 'String'}, 'value': {'shape': 'String'},
                    'flattened': True},
        'String': {'type': 'string'},
        'Integer': {'type': 'integer'},
        'Long': {'type': 'long'},
        'Double': {'type': 'double'},
        'Boolean': {'type': 'boolean'},
        'Timestamp': {'type': 'timestamp'},
        'Blob': {'type': 'blob'},
    },
}

TRUST = json.dumps({
    'Version': '2012-10-17',
    'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::111122223333:root'},
                   'Action': 'sts:AssumeRole',
                   'Condition': {'StringEquals': {'sts:ExternalId': 'a+b=c&d'}}}],
}, indent=2)
POLICY = json.dumps({
    'Version': '2012-10-17',
    'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:List*'],
                   'Resource': 'arn:aws:s3:::bucket/key with spaces/*'}],
})
WHEN = datetime.datetime(2026, 11, 27, 23, 7, 44, 123456, tzinfo=UTC)

REQUESTS = [
    ('iam-create-role', 'iam', 'CreateRole', {
        'RoleName': 'orgtwin-admin', 'Path': '/team/', 'AssumeRolePolicyDocument': TRUST,
        'Description': 'Admin role for the payer', 'MaxSessionDuration': 7200,
        'PermissionsBoundary': 'arn:aws:iam::111122223333:policy/boundary',
        'Tags': [{'Key': 'env', 'Value': 'prod'}, {'Key': 'cost center', 'Value': 'a+b=c d/e:f@g'}],
    }),
    ('iam-put-role-policy', 'iam', 'PutRolePolicy', {
        'RoleName': 'orgtwin-admin', 'PolicyName': 'inline-read', 'PolicyDocument': POLICY,
    }),
    ('iam-create-policy', 'iam', 'CreatePolicy', {
        'PolicyName': 'ReadOnlyBuckets', 'Path': '/shared/', 'PolicyDocument': POLICY,
        'Description': 'Read-only access', 'Tags': [{'Key': 'owner', 'Value': 'partner'}],
    }),
    ('iam-list-roles', 'iam', 'ListRoles', {
        'PathPrefix': '/team/', 'Marker': 'AAE3f2Z/abc+def==', 'MaxItems': 50,
    }),
    ('iam-simulate-principal-policy', 'iam', 'SimulatePrincipalPolicy', {
        'PolicySourceArn': 'arn:aws:iam::111122223333:role/orgtwin-admin',
        'ActionNames': ['iam:CreateRole', 's3:GetObject'],
        'ResourceArns': ['*'],
        'ContextEntries': [
            {'ContextKeyName': 'aws:MultiFactorAuthPresent', 'ContextKeyValues': ['true'],
             'ContextKeyType': 'boolean'},
            {'ContextKeyName': 'aws:SourceIp', 'ContextKeyValues': ['10.0.0.1', '10.0.0.2'],
             'ContextKeyType': 'ipList'},
        ],
        'MaxItems': 100,
    }),
    ('iam-simulate-empty-list', 'iam', 'SimulatePrincipalPolicy', {
        'PolicySourceArn': 'arn:aws:iam::111122223333:user/alice',
        'ActionNames': ['organizations:ListAccounts'], 'ResourceArns': [],
    }),
    ('iam-update-account-password-policy', 'iam', 'UpdateAccountPasswordPolicy', {
        'MinimumPasswordLength': 14, 'RequireSymbols': True, 'RequireNumbers': False,
        'RequireUppercaseCharacters': True, 'RequireLowercaseCharacters': True,
        'AllowUsersToChangePassword': True, 'MaxPasswordAge': 90, 'PasswordReusePrevention': 24,
        'HardExpiry': False,
    }),
    ('sts-assume-role', 'sts', 'AssumeRole', {
        'RoleArn': 'arn:aws:iam::111122223333:role/orgtwin-admin',
        'RoleSessionName': 'alice@example.com', 'DurationSeconds': 3600,
        'ExternalId': 'a+b=c,d.e@f:g/h-i', 'Policy': POLICY,
        'PolicyArns': [{'arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess'},
                       {'arn': 'arn:aws:iam::111122223333:policy/boundary'}],
        'Tags': [{'Key': 'Project', 'Value': 'resale'}, {'Key': 'Team', 'Value': 'billing'}],
        'TransitiveTagKeys': ['Project'],
        'SerialNumber': 'arn:aws:iam::111122223333:mfa/alice', 'TokenCode': '123456',
        'SourceIdentity': 'alice',
    }),
    ('sts-get-caller-identity', 'sts', 'GetCallerIdentity', {}),
    ('querytest-kitchen', 'querytest', 'Kitchen', {
        'Name': 'caf\u00e9 & <tea> "quoted"', 'Count': -42, 'Big': 9007199254740993,
        'Ratio': 0.25, 'Enabled': True, 'When': WHEN,
        'WhenEpoch': datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        'Data': b'\x00\x01binary\xff',
        'Items': ['one', 'two', 'three'], 'Flat': ['f1', 'f2'], 'FlatNamed': ['t1'],
        'Attributes': {'color': 'blue', 'size': 'L'},
        'Plain': {'k1': {'Label': 'in map', 'Inner': {'Values': [7, 8]}}},
        'FlatMap': {'a': '1', 'b': '2'},
        'Nested': {'Label': 'top', 'Inner': {'Values': [1, 2, 3]}},
        'NestedList': [{'Label': 'x'}, {'Label': 'y', 'Inner': {'Values': [5]}}],
        'Renamed': 'wire-named',
    }),
    ('querytest-empty-collections', 'querytest', 'Kitchen', {
        'Items': [], 'Flat': [], 'Nested': {'Inner': {'Values': []}}, 'Enabled': False,
    }),
]

# (name, service, operation, neutral output, the XML as AWS writes it)
RESPONSES = [
    ('iam-create-role', 'iam', 'CreateRole', {
        'Role': {
            'Path': '/team/', 'RoleName': 'orgtwin-admin', 'RoleId': 'AROAEXAMPLEID1234567',
            'Arn': 'arn:aws:iam::111122223333:role/team/orgtwin-admin',
            'CreateDate': 1795820864.5,
            'AssumeRolePolicyDocument': '%7B%22Version%22%3A%222012-10-17%22%7D',
            'Description': 'Tom & Jerry\'s <role> "quoted"', 'MaxSessionDuration': 7200,
            'Tags': [{'Key': 'env', 'Value': 'prod'}, {'Key': 'cost center', 'Value': 'a&b'}],
        }
    }, '''
<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <CreateRoleResult>
    <Role>
      <Path>/team/</Path>
      <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
      <MaxSessionDuration>7200</MaxSessionDuration>
      <RoleId>AROAEXAMPLEID1234567</RoleId>
      <RoleName>orgtwin-admin</RoleName>
      <Description>Tom &amp; Jerry&apos;s &lt;role&gt; &quot;quoted&quot;</Description>
      <Arn>arn:aws:iam::111122223333:role/team/orgtwin-admin</Arn>
      <CreateDate>2026-11-27T23:07:44Z</CreateDate>
      <Tags>
        <member>
          <Key>env</Key>
          <Value>prod</Value>
        </member>
        <member>
          <Key>cost center</Key>
          <Value>a&amp;b</Value>
        </member>
      </Tags>
    </Role>
  </CreateRoleResult>
  <ResponseMetadata>
    <RequestId>4a93ceee-9966-11e1-b624-b1aEXAMPLE7c</RequestId>
  </ResponseMetadata>
</CreateRoleResponse>'''),
    ('iam-list-roles', 'iam', 'ListRoles', {
        'Roles': [
            {'Path': '/', 'RoleName': 'a', 'RoleId': 'AROAEXAMPLEAAAAAAAAA',
             'Arn': 'arn:aws:iam::111122223333:role/a', 'CreateDate': '2024-02-29T12:00:00Z',
             'RoleLastUsed': {'LastUsedDate': 1709208000, 'Region': 'us-east-1'}},
            {'Path': '/', 'RoleName': 'b', 'RoleId': 'AROAEXAMPLEBBBBBBBBB',
             'Arn': 'arn:aws:iam::111122223333:role/b', 'CreateDate': 0},
        ],
        'IsTruncated': True, 'Marker': 'AAE3f2Z/abc+def==',
    }, '''
<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListRolesResult>
    <Roles>
      <member>
        <Path>/</Path>
        <RoleName>a</RoleName>
        <RoleId>AROAEXAMPLEAAAAAAAAA</RoleId>
        <Arn>arn:aws:iam::111122223333:role/a</Arn>
        <CreateDate>2024-02-29T12:00:00Z</CreateDate>
        <RoleLastUsed>
          <LastUsedDate>2024-02-29T12:00:00Z</LastUsedDate>
          <Region>us-east-1</Region>
        </RoleLastUsed>
      </member>
      <member>
        <Path>/</Path>
        <RoleName>b</RoleName>
        <RoleId>AROAEXAMPLEBBBBBBBBB</RoleId>
        <Arn>arn:aws:iam::111122223333:role/b</Arn>
        <CreateDate>1970-01-01T00:00:00Z</CreateDate>
      </member>
    </Roles>
    <IsTruncated>true</IsTruncated>
    <Marker>AAE3f2Z/abc+def==</Marker>
  </ListRolesResult>
  <ResponseMetadata>
    <RequestId>20f7279f-99ee-11e1-a4c3-27EXAMPLE804</RequestId>
  </ResponseMetadata>
</ListRolesResponse>'''),
    ('iam-get-account-summary', 'iam', 'GetAccountSummary', {
        'SummaryMap': {'Users': 3, 'RolesQuota': 1000, 'AccountMFAEnabled': 1},
    }, '''
<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountSummaryResult>
    <SummaryMap>
      <entry>
        <key>Users</key>
        <value>3</value>
      </entry>
      <entry>
        <key>RolesQuota</key>
        <value>1000</value>
      </entry>
      <entry>
        <key>AccountMFAEnabled</key>
        <value>1</value>
      </entry>
    </SummaryMap>
  </GetAccountSummaryResult>
  <ResponseMetadata>
    <RequestId>85cb9b90-ac28-11e4-a88d-97964EXAMPLE</RequestId>
  </ResponseMetadata>
</GetAccountSummaryResponse>'''),
    ('iam-get-account-password-policy', 'iam', 'GetAccountPasswordPolicy', {
        'PasswordPolicy': {
            'MinimumPasswordLength': 14, 'RequireSymbols': True, 'RequireNumbers': False,
            'AllowUsersToChangePassword': True, 'ExpirePasswords': True, 'MaxPasswordAge': 90,
            'HardExpiry': False,
        }
    }, '''
<GetAccountPasswordPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountPasswordPolicyResult>
    <PasswordPolicy>
      <MinimumPasswordLength>14</MinimumPasswordLength>
      <RequireSymbols>true</RequireSymbols>
      <RequireNumbers>false</RequireNumbers>
      <AllowUsersToChangePassword>true</AllowUsersToChangePassword>
      <ExpirePasswords>true</ExpirePasswords>
      <MaxPasswordAge>90</MaxPasswordAge>
      <HardExpiry>false</HardExpiry>
    </PasswordPolicy>
  </GetAccountPasswordPolicyResult>
  <ResponseMetadata>
    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
  </ResponseMetadata>
</GetAccountPasswordPolicyResponse>'''),
    ('iam-simulate-principal-policy', 'iam', 'SimulatePrincipalPolicy', {
        'EvaluationResults': [{
            'EvalActionName': 's3:GetObject', 'EvalResourceName': '*',
            'EvalDecision': 'allowed',
            'MatchedStatements': [{'SourcePolicyId': 'inline-read',
                                   'SourcePolicyType': 'role',
                                   'StartPosition': {'Line': 1, 'Column': 2}}],
            'MissingContextValues': [],
            'EvalDecisionDetails': {'Organizations': 'allowed'},
        }],
        'IsTruncated': False,
    }, '''
<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <MatchedStatements>
          <member>
            <SourcePolicyId>inline-read</SourcePolicyId>
            <SourcePolicyType>role</SourcePolicyType>
            <StartPosition>
              <Line>1</Line>
              <Column>2</Column>
            </StartPosition>
          </member>
        </MatchedStatements>
        <MissingContextValues/>
        <EvalResourceName>*</EvalResourceName>
        <EvalDecision>allowed</EvalDecision>
        <EvalDecisionDetails>
          <entry>
            <key>Organizations</key>
            <value>allowed</value>
          </entry>
        </EvalDecisionDetails>
        <EvalActionName>s3:GetObject</EvalActionName>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
  <ResponseMetadata>
    <RequestId>004d7059-4c14-11e5-b121-bd8c7EXAMPLE</RequestId>
  </ResponseMetadata>
</SimulatePrincipalPolicyResponse>'''),
    ('iam-delete-role', 'iam', 'DeleteRole', {}, '''
<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ResponseMetadata>
    <RequestId>913e3f37-99ed-11e1-a4c3-270EXAMPLE04</RequestId>
  </ResponseMetadata>
</DeleteRoleResponse>'''),
    ('sts-assume-role', 'sts', 'AssumeRole', {
        'Credentials': {
            'AccessKeyId': 'ASIAIOSFODNN7EXAMPLE',
            'SecretAccessKey': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
            'SessionToken': 'IQoJb3JpZ2luX2VjEOz////////////+token==',
            'Expiration': '2026-11-27T23:07:44.123Z',
        },
        'AssumedRoleUser': {
            'AssumedRoleId': 'AROA3XFRBF535PLBIFPI4:alice@example.com',
            'Arn': 'arn:aws:sts::111122223333:assumed-role/orgtwin-admin/alice@example.com',
        },
        'PackedPolicySize': 6, 'SourceIdentity': 'alice',
    }, '''
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/orgtwin-admin/alice@example.com</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:alice@example.com</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz////////////+token==</SessionToken>
      <Expiration>2026-11-27T23:07:44Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>'''),
    ('sts-get-caller-identity', 'sts', 'GetCallerIdentity', {
        'UserId': 'AIDACKCEVSQ6C2EXAMPLE', 'Account': '111122223333',
        'Arn': 'arn:aws:iam::111122223333:user/alice',
    }, '''
<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::111122223333:user/alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>111122223333</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>'''),
    ('querytest-kitchen', 'querytest', 'Kitchen', {
        'Name': 'caf\u00e9 & <tea>', 'Count': -42, 'Big': 9007199254740993, 'Ratio': 0.25,
        'Enabled': True, 'When': 1795820864, 'WhenEpoch': 1767323045, 'Data': 'AAFiaW5hcnn/',
        'Items': ['one', 'two'], 'Flat': ['f1', 'f2'], 'FlatNamed': ['t1', 't2'],
        'Attributes': {'color': 'blue'}, 'Plain': {'k1': {'Label': 'in map'}},
        'FlatMap': {'a': '1', 'b': '2'},
        'Nested': {'Label': 'top', 'Inner': {'Values': [1, 2]}},
        'NestedList': [{'Label': 'x'}], 'Renamed': 'wire-named',
    }, '''
<KitchenResponse xmlns="https://querytest.example.com/doc/2020-01-01/">
  <KitchenResult>
    <Name>caf\u00e9 &amp; &lt;tea&gt;</Name>
    <Count>-42</Count>
    <Big>9007199254740993</Big>
    <Ratio>0.25</Ratio>
    <Enabled>true</Enabled>
    <When>2026-11-27T23:07:44Z</When>
    <WhenEpoch>1767323045</WhenEpoch>
    <Data>AAFiaW5hcnn/</Data>
    <Items><Item>one</Item><Item>two</Item></Items>
    <Flat>f1</Flat>
    <Flat>f2</Flat>
    <Thing>t1</Thing>
    <Thing>t2</Thing>
    <Attributes><entry><Name>color</Name><Value>blue</Value></entry></Attributes>
    <Plain><entry><key>k1</key><value><Label>in map</Label></value></entry></Plain>
    <FlatMap><key>a</key><value>1</value></FlatMap>
    <FlatMap><key>b</key><value>2</value></FlatMap>
    <Nested><Label>top</Label><Inner><Values><member>1</member><member>2</member></Values></Inner></Nested>
    <NestedList><member><Label>x</Label></member></NestedList>
    <WireName>wire-named</WireName>
  </KitchenResult>
  <ResponseMetadata>
    <RequestId>req-1</RequestId>
  </ResponseMetadata>
</KitchenResponse>'''),
    ('querytest-no-output', 'querytest', 'NoOutput', {}, '''
<NoOutputResponse xmlns="https://querytest.example.com/doc/2020-01-01/">
  <ResponseMetadata>
    <RequestId>req-2</RequestId>
  </ResponseMetadata>
</NoOutputResponse>'''),
]

# (name, service, AwsError fields, the XML as AWS writes it)
ERRORS = [
    ('iam-no-such-entity', 'iam',
     {'code': 'NoSuchEntity', 'message': 'The role with name missing cannot be found.',
      'http_status': 404, 'sender_fault': True}, '''
<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>NoSuchEntity</Code>
    <Message>The role with name missing cannot be found.</Message>
  </Error>
  <RequestId>8bfb4a9e-3c3a-4b1b-9a55-0c1cEXAMPLE1</RequestId>
</ErrorResponse>'''),
    ('iam-validation-error', 'iam',
     {'code': 'ValidationError',
      'message': "1 validation error detected: Value 'a<b' at 'roleName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      'http_status': 400, 'sender_fault': True}, '''
<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>ValidationError</Code>
    <Message>1 validation error detected: Value &apos;a&lt;b&apos; at &apos;roleName&apos; failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+</Message>
  </Error>
  <RequestId>8bfb4a9e-3c3a-4b1b-9a55-0c1cEXAMPLE2</RequestId>
</ErrorResponse>'''),
    ('iam-service-failure', 'iam',
     {'code': 'ServiceFailure', 'message': 'Internal failure', 'http_status': 500,
      'sender_fault': False}, '''
<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Receiver</Type>
    <Code>ServiceFailure</Code>
    <Message>Internal failure</Message>
  </Error>
  <RequestId>8bfb4a9e-3c3a-4b1b-9a55-0c1cEXAMPLE3</RequestId>
</ErrorResponse>'''),
    ('sts-access-denied', 'sts',
     {'code': 'AccessDenied',
      'message': 'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: '
                 'sts:AssumeRole on resource: arn:aws:iam::444455556666:role/payer',
      'http_status': 403, 'sender_fault': True}, '''
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/payer</Message>
  </Error>
  <RequestId>a6c4f6e1-0f39-4b1e-bb5b-EXAMPLE00004</RequestId>
</ErrorResponse>'''),
    ('sts-expired-token', 'sts',
     {'code': 'ExpiredToken', 'message': 'The security token included in the request is expired',
      'http_status': 400, 'sender_fault': True}, '''
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>ExpiredToken</Code>
    <Message>The security token included in the request is expired</Message>
  </Error>
  <RequestId>a6c4f6e1-0f39-4b1e-bb5b-EXAMPLE00005</RequestId>
</ErrorResponse>'''),
]


def load_models():
    models = {}
    for service, version in (('iam', '2010-05-08'), ('sts', '2011-06-15')):
        with open(os.path.join(ROOT, 'models', service, version, 'service-2.json')) as f:
            models[service] = ServiceModel(json.load(f), service_name=service)
    models['querytest'] = ServiceModel(TEST_MODEL, service_name='querytest')
    return models


def to_neutral(value, shape):
    """The protocol-neutral form (protocol/protocol.h) of a botocore input value."""
    if shape.type_name == 'structure':
        return {k: to_neutral(v, shape.members[k]) for k, v in value.items()}
    if shape.type_name == 'list':
        return [to_neutral(v, shape.member) for v in value]
    if shape.type_name == 'map':
        return {k: to_neutral(v, shape.value) for k, v in value.items()}
    if shape.type_name == 'timestamp':
        return calendar.timegm(value.utctimetuple()) + value.microsecond / 1e6
    if shape.type_name == 'blob':
        return base64.b64encode(value).decode('ascii')
    return value


def parse_time(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(int(value), tz=UTC)
    parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    return parsed.replace(microsecond=0)


def expected_parse(value, shape):
    """What botocore must read from the AWS-style XML for a neutral output value."""
    if shape.type_name == 'structure':
        return {k: expected_parse(v, shape.members[k]) for k, v in value.items()}
    if shape.type_name == 'list':
        return [expected_parse(v, shape.member) for v in value]
    if shape.type_name == 'map':
        return {k: expected_parse(v, shape.value) for k, v in value.items()}
    if shape.type_name == 'timestamp':
        return parse_time(value)
    if shape.type_name == 'blob':
        return base64.b64decode(value)
    return value


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    return value


def make_requests(models):
    serializer = create_serializer('query', include_validation=True)
    out = []
    for name, service, operation, params in REQUESTS:
        op = models[service].operation_model(operation)
        request_dict = serializer.serialize_to_request(params, op)
        prepare_request_dict(request_dict, endpoint_url='https://%s.amazonaws.com' % service)
        prepared = create_request_object(request_dict).prepare()
        body = prepared.body
        if isinstance(body, bytes):
            body = body.decode('utf-8')
        headers = [[k, v if isinstance(v, str) else v.decode()]
                   for k, v in prepared.headers.items()]
        neutral = to_neutral(params, op.input_shape) if op.input_shape else {}
        out.append({'name': name, 'service': service, 'operation': operation,
                    'method': prepared.method, 'target': '/', 'headers': headers,
                    'body': body or '', 'expected_input': neutral})
        # The same request as a GET with the parameters in the URL (presigned-URL style).
        out.append({'name': name + '-get', 'service': service, 'operation': operation,
                    'method': 'GET', 'target': '/?' + (body or ''), 'headers': [],
                    'body': '', 'expected_input': neutral})
    return out


def strip_metadata(parsed):
    parsed = dict(parsed)
    parsed.pop('ResponseMetadata', None)
    return parsed


def make_responses(models):
    out = []
    for name, service, operation, output, xml in RESPONSES:
        op = models[service].operation_model(operation)
        xml = textwrap.dedent(xml).strip()
        parsed = create_parser('query').parse(
            {'body': xml.encode('utf-8'), 'headers': {}, 'status_code': 200}, op.output_shape)
        expected = expected_parse(output, op.output_shape) if op.output_shape else {}
        if strip_metadata(parsed) != expected:
            sys.exit('%s: botocore parsed %r, expected %r' % (name, parsed, expected))
        if 'RequestId' not in parsed.get('ResponseMetadata', {}):
            sys.exit('%s: no RequestId' % name)
        out.append({'name': name, 'service': service, 'operation': operation,
                    'output': output, 'request_id': parsed['ResponseMetadata']['RequestId'],
                    'aws_xml': xml, 'botocore_parsed': jsonable(strip_metadata(parsed))})
    return out


def make_errors(models):
    out = []
    for name, service, error, xml in ERRORS:
        xml = textwrap.dedent(xml).strip()
        parsed = create_parser('query').parse(
            {'body': xml.encode('utf-8'), 'headers': {}, 'status_code': error['http_status']},
            None)
        got = parsed['Error']
        want = {'Type': 'Sender' if error['sender_fault'] else 'Receiver',
                'Code': error['code'], 'Message': error['message']}
        if got != want:
            sys.exit('%s: botocore parsed %r, expected %r' % (name, got, want))
        out.append({'name': name, 'service': service, 'error': error,
                    'request_id': parsed['ResponseMetadata']['RequestId'], 'aws_xml': xml,
                    'botocore_parsed': parsed['Error']})
    return out


def main():
    models = load_models()
    fixtures = {
        'generator': 'generate_fixtures.py with botocore %s' % botocore.__version__,
        'requests': make_requests(models),
        'responses': make_responses(models),
        'errors': make_errors(models),
    }
    with open(os.path.join(HERE, 'querytest-model.json'), 'w') as f:
        json.dump(TEST_MODEL, f, indent=1, sort_keys=True)
        f.write('\n')
    with open(os.path.join(HERE, 'fixtures.json'), 'w') as f:
        json.dump(fixtures, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print('wrote %d requests, %d responses, %d errors' % (
        len(fixtures['requests']), len(fixtures['responses']), len(fixtures['errors'])))


if __name__ == '__main__':
    main()
