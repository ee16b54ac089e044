#include "services/iam/managed_policies.h"

namespace lamina::services::iam {

// Documents as AWS publishes them (the default version of each), for the services Lamina has or
// plans; policies that mostly grant other services' actions are left out.
const std::vector<ManagedPolicy>& KnownManagedPolicies() {
  static const std::vector<ManagedPolicy> policies = {
      {"arn:aws:iam::aws:policy/AdministratorAccess",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],
           "Resource":["*"]}]})"},
      {"arn:aws:iam::aws:policy/AWSLambdaExecute",
       R"({"Version":"2012-10-17","Statement":[
           {"Effect":"Allow","Action":["logs:*"],"Resource":"arn:aws:logs:*:*:*"},
           {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],
            "Resource":"arn:aws:s3:::*"}]})"},
      {"arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "kinesis:DescribeStream","kinesis:DescribeStreamSummary","kinesis:GetRecords",
           "kinesis:GetShardIterator","kinesis:ListShards","kinesis:ListStreams",
           "kinesis:SubscribeToShard","logs:CreateLogGroup","logs:CreateLogStream",
           "logs:PutLogEvents"],"Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator",
           "dynamodb:ListStreams","logs:CreateLogGroup","logs:CreateLogStream",
           "logs:PutLogEvents"],"Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/AmazonS3FullAccess",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "s3:*","s3-object-lambda:*"],"Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],
           "Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/AmazonKinesisFullAccess",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*",
           "Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/AmazonKinesisReadOnlyAccess",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "kinesis:Get*","kinesis:List*","kinesis:Describe*"],"Resource":"*"}]})"},
      {"arn:aws:iam::aws:policy/IAMReadOnlyAccess",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
           "iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*",
           "iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],
           "Resource":"*"}]})"},
  };
  return policies;
}

std::string_view ManagedPolicyDocument(std::string_view arn) {
  for (const ManagedPolicy& policy : KnownManagedPolicies()) {
    if (policy.arn == arn) return policy.document;
  }
  return {};
}

}  // namespace lamina::services::iam
