package privesc

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// summary is a principal's answer: "admin", "admin?" (conditional), "no",
// "unknown", or the admin path ("?" appended when it is conditional).
func summary(res *Result, key string) string {
	for _, u := range res.Unknown {
		if u == key {
			return "unknown"
		}
	}
	p := res.Props[key]
	switch {
	case p == nil:
		return "missing"
	case p["isAdmin"] == true && p["isAdminConditional"] == true:
		return "admin?"
	case p["isAdmin"] == true:
		return "admin"
	case p["canBecomeAdmin"] == true:
		s := p["adminPath"].(string)
		if n := strings.Count(s, "→"); n != p["adminPathLength"] {
			return fmt.Sprintf("%s (length %v, %d steps)", s, p["adminPathLength"], n)
		}
		if p["adminPathConditional"] == true {
			s += " ?"
		}
		return s
	}
	return "no"
}

type scenario struct {
	name  string
	build func(f *fx)
	opts  Options
	// want: principal short name (user/x, role/y) -> summary.
	want map[string]string
}

// alice is the attacker in most scenarios; admin is an administrator user.
func attacker(f *fx, docs []string, opts ...opt) { f.user("alice", docs, opts...) }

func adminUser(f *fx) { f.user("admin", []string{adminDoc}) }

var s3Only = "arn:aws:iam::" + acct + ":policy/S3Only"

func credentialScenarios() []scenario {
	target := arn("user", "admin")
	return []scenario{
		{name: "CreateAccessKey on an admin user", build: func(f *fx) {
			adminUser(f)
			attacker(f, []string{doc(allow("iam:CreateAccessKey", target))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateAccessKey→ user/admin", "user/admin": "admin"}},
		{name: "CreateAccessKey: condition excludes the attacker (negative)", build: func(f *fx) {
			adminUser(f)
			attacker(f, []string{doc(allowIf("iam:CreateAccessKey", target, `{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`))}, withTag("team", "dev"))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreateLoginProfile on an admin user without a password", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withPassword(false))
			attacker(f, []string{doc(allow("iam:CreateLoginProfile", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateLoginProfile→ user/admin"}},
		{name: "CreateLoginProfile on an admin user that has a password (negative)", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withPassword(true))
			attacker(f, []string{doc(allow("iam:CreateLoginProfile", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreateLoginProfile, password state unknown: conditional", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, unreported())
			attacker(f, []string{doc(allow("iam:CreateLoginProfile", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateLoginProfile→ user/admin ?"}},
		{name: "CreateLoginProfile: SCP denies (negative)", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withPassword(false))
			attacker(f, []string{doc(allow("iam:CreateLoginProfile", "*"))})
		}, opts: scps(doc(allow("*", "*"), deny("iam:CreateLoginProfile", "*"))),
			want: map[string]string{"user/alice": "no", "user/admin": "admin"}},
		{name: "UpdateLoginProfile on an admin user with a password", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withPassword(true))
			attacker(f, []string{doc(allow("iam:UpdateLoginProfile", arn("user", "*")))})
		}, want: map[string]string{"user/alice": "user/alice —iam:UpdateLoginProfile→ user/admin"}},
		{name: "UpdateLoginProfile on an admin user without a password (negative)", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withPassword(false))
			attacker(f, []string{doc(allow("iam:UpdateLoginProfile", arn("user", "*")))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "Create and UpdateLoginProfile, password state unknown: conditional", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, unreported())
			attacker(f, []string{doc(allow("iam:CreateLoginProfile", "*"), allow("iam:UpdateLoginProfile", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateLoginProfile→ user/admin ?"}},
		{name: "UpdateLoginProfile: explicit deny (negative)", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withPassword(true))
			attacker(f, []string{doc(allow("iam:UpdateLoginProfile", "*"), deny("iam:UpdateLoginProfile", target))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreateAccessKey on an admin user that has two keys (negative)", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withKeys(2))
			attacker(f, []string{doc(allow("iam:CreateAccessKey", target))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreateAccessKey on an admin user that has two keys, after DeleteAccessKey", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withKeys(2))
			attacker(f, []string{doc(allow("iam:CreateAccessKey", target), allow("iam:DeleteAccessKey", target))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateAccessKey→ user/admin"}},
		{name: "CreateAccessKey on an admin user that has one key", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withKeys(1))
			attacker(f, []string{doc(allow("iam:CreateAccessKey", target))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateAccessKey→ user/admin"}},
		{name: "CreateAccessKey, key count unknown: conditional", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, unreported())
			attacker(f, []string{doc(allow("iam:CreateAccessKey", target))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateAccessKey→ user/admin ?"}},
		{name: "CreateAccessKey only on users tagged team=dev, the admin is (aws:ResourceTag)", build: func(f *fx) {
			f.user("admin", []string{adminDoc}, withTag("team", "dev"))
			attacker(f, []string{doc(allowIf("iam:CreateAccessKey", "*", `{"StringEquals":{"aws:ResourceTag/team":"dev"}}`))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateAccessKey→ user/admin"}},
		{name: "CreateAccessKey only on users tagged team=dev, the admin is untagged (negative)", build: func(f *fx) {
			adminUser(f)
			attacker(f, []string{doc(allowIf("iam:CreateAccessKey", "*", `{"StringEquals":{"aws:ResourceTag/team":"dev"}}`))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreateAccessKey: boundary denies (negative)", build: func(f *fx) {
			adminUser(f)
			f.managed(s3Only, doc(allow("s3:*", "*")))
			attacker(f, []string{doc(allow("iam:CreateAccessKey", "*"))}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreateAccessKey, conditional on MFA", build: func(f *fx) {
			adminUser(f)
			attacker(f, []string{doc(allowIf("iam:CreateAccessKey", "*", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`))})
		}, want: map[string]string{"user/alice": "user/alice —iam:CreateAccessKey→ user/admin ?"}},
	}
}

func trustScenarios() []scenario {
	sso := "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef"
	return []scenario{
		{name: "UpdateAssumeRolePolicy on an admin role", build: func(f *fx) {
			f.role("admin", nobody, []string{adminDoc})
			attacker(f, []string{doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "admin")), allow("sts:AssumeRole", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:UpdateAssumeRolePolicy→ role/admin", "role/admin": "admin"}},
		{name: "UpdateAssumeRolePolicy on a reserved SSO role (negative)", build: func(f *fx) {
			f.role(sso, nobody, []string{adminDoc})
			attacker(f, []string{doc(allow("iam:UpdateAssumeRolePolicy", "*"), allow("sts:AssumeRole", "*"))})
		}, want: map[string]string{"user/alice": "no", "role/" + sso: "admin"}},
		{name: "UpdateAssumeRolePolicy: boundary denies sts:AssumeRole (negative)", build: func(f *fx) {
			f.role("admin", nobody, []string{adminDoc})
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:UpdateAssumeRolePolicy", "*")))
			attacker(f, []string{doc(allow("iam:UpdateAssumeRolePolicy", "*"), allow("sts:AssumeRole", "*"))}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "UpdateAssumeRolePolicy only on roles with a boundary; the admin role has none (negative)", build: func(f *fx) {
			f.role("admin", nobody, []string{adminDoc})
			attacker(f, []string{doc(allowIf("iam:UpdateAssumeRolePolicy", "*", `{"StringLike":{"iam:PermissionsBoundary":"*"}}`), allow("sts:AssumeRole", "*"))})
		}, want: map[string]string{"user/alice": "no", "role/admin": "admin"}},
		{name: "UpdateAssumeRolePolicy on a service-linked role (negative)", build: func(f *fx) {
			f.role("aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps", trustService("ops.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:UpdateAssumeRolePolicy", "*"), allow("sts:AssumeRole", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
	}
}

func passRoleScenarios() []scenario {
	lambdaRole := func(f *fx) { f.role("lambda-admin", trustService("lambda.amazonaws.com"), []string{adminDoc}) }
	passTo := func(svc string) string {
		return allowIf("iam:PassRole", arn("role", "lambda-admin"), `{"StringEquals":{"iam:PassedToService":"`+svc+`"}}`)
	}
	lambdaPath := "user/alice —iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction→ role/lambda-admin"
	return []scenario{
		{name: "PassRole: condition excludes the service (negative)", build: func(f *fx) {
			lambdaRole(f)
			attacker(f, []string{doc(passTo("ec2.amazonaws.com"), allow("lambda:*", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole only on roles tagged passable, the admin role is not (iam:ResourceTag, negative)", build: func(f *fx) {
			lambdaRole(f)
			attacker(f, []string{doc(allowIf("iam:PassRole", "*", `{"StringEquals":{"iam:ResourceTag/passable":"yes"}}`), allow("lambda:*", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole only on roles tagged passable, which the admin role is", build: func(f *fx) {
			f.role("lambda-admin", trustService("lambda.amazonaws.com"), []string{adminDoc}, withTag("passable", "yes"))
			attacker(f, []string{doc(allowIf("iam:PassRole", "*", `{"StringEquals":{"iam:ResourceTag/passable":"yes"}}`), allow("lambda:CreateFunction", "*"), allow("lambda:InvokeFunction", "*"))})
		}, want: map[string]string{"user/alice": lambdaPath}},
		{name: "PassRole without a way to run the function (negative)", build: func(f *fx) {
			lambdaRole(f)
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to CloudFormation, CreateStack only on named stacks", build: func(f *fx) {
			f.role("cfn-admin", trustService("cloudformation.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("cloudformation:CreateStack", "arn:aws:cloudformation:us-east-1:"+acct+":stack/tools-*/*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+cloudformation:CreateStack→ role/cfn-admin"}},
		{name: "PassRole to CloudFormation, CreateStack on named stacks, explicitly denied there (negative)", build: func(f *fx) {
			f.role("cfn-admin", trustService("cloudformation.amazonaws.com"), []string{adminDoc})
			stacks := "arn:aws:cloudformation:us-east-1:" + acct + ":stack/tools-*/*"
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("cloudformation:CreateStack", stacks), deny("cloudformation:CreateStack", "arn:aws:cloudformation:*:*:stack/*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to EC2 with an instance profile", build: func(f *fx) {
			f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("ec2:RunInstances", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+ec2:RunInstances→ role/ec2-admin"}},
		{name: "PassRole to EC2, RunInstances on every EC2 resource of the account", build: func(f *fx) {
			f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("ec2:RunInstances", "arn:aws:ec2:*:"+acct+":*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+ec2:RunInstances→ role/ec2-admin"}},
		{name: "PassRole to EC2, RunInstances only in another account (negative)", build: func(f *fx) {
			f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("ec2:RunInstances", "arn:aws:ec2:*:999999999999:*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to ECS, RunTask on the account's task definitions", build: func(f *fx) {
			f.role("ecs-tasks-admin", trustService("ecs-tasks.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("ecs:RegisterTaskDefinition", "*"), allow("ecs:RunTask", "arn:aws:ecs:*:"+acct+":task-definition/*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+ecs:RegisterTaskDefinition+ecs:RunTask→ role/ecs-tasks-admin"}},
		{name: "PassRole to ECS, RunTask only on clusters, not task definitions (negative)", build: func(f *fx) {
			f.role("ecs-tasks-admin", trustService("ecs-tasks.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("ecs:RegisterTaskDefinition", "*"), allow("ecs:RunTask", "arn:aws:ecs:*:"+acct+":cluster/*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to Glue, CreateDevEndpoint on named endpoints", build: func(f *fx) {
			f.role("glue-admin", trustService("glue.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("glue:CreateDevEndpoint", "arn:aws:glue:us-east-1:"+acct+":devEndpoint/dev-*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+glue:CreateDevEndpoint→ role/glue-admin"}},
		{name: "PassRole to EC2, role in no instance profile (negative)", build: func(f *fx) {
			f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("ec2:RunInstances", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to CloudFormation", build: func(f *fx) {
			f.role("cfn-admin", trustService("cloudformation.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("cloudformation:CreateStack", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+cloudformation:CreateStack→ role/cfn-admin"}},
		{name: "PassRole to a role the service does not trust (negative)", build: func(f *fx) {
			f.role("cfn-admin", trustService("lambda.amazonaws.com"), []string{adminDoc})
			attacker(f, []string{doc(allow("iam:PassRole", "*"), allow("cloudformation:CreateStack", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to Glue, ECS, CodeBuild, SageMaker, Data Pipeline", build: func(f *fx) {
			for _, svc := range []string{"glue", "ecs-tasks", "codebuild", "sagemaker", "datapipeline"} {
				f.role(svc+"-admin", trustService(svc+".amazonaws.com"), []string{adminDoc})
			}
			attacker(f, []string{doc(allow("iam:PassRole", arn("role", "codebuild-admin")), allow("codebuild:CreateProject", "*"), allow("codebuild:StartBuild", "*"))})
			f.user("bob", []string{doc(allow("iam:PassRole", arn("role", "ecs-tasks-admin")), allow("ecs:RegisterTaskDefinition", "*"), allow("ecs:RunTask", "*"))})
			f.user("carol", []string{doc(allow("iam:PassRole", "*"), allow("glue:CreateDevEndpoint", "*"))})
			f.user("dave", []string{doc(allow("iam:PassRole", arn("role", "sagemaker-admin")), allow("sagemaker:CreateNotebookInstance", "*"))})
			f.user("erin", []string{doc(allow("iam:PassRole", arn("role", "datapipeline-admin")), allow("datapipeline:*", "*"))})
			f.user("frank", []string{doc(allow("iam:PassRole", arn("role", "codebuild-admin")), allow("codebuild:CreateProject", "*"))})
		}, want: map[string]string{
			"user/alice": "user/alice —iam:PassRole+codebuild:CreateProject+codebuild:StartBuild→ role/codebuild-admin",
			"user/bob":   "user/bob —iam:PassRole+ecs:RegisterTaskDefinition+ecs:RunTask→ role/ecs-tasks-admin",
			"user/carol": "user/carol —iam:PassRole+glue:CreateDevEndpoint→ role/glue-admin",
			"user/dave":  "user/dave —iam:PassRole+sagemaker:CreateNotebookInstance→ role/sagemaker-admin",
			"user/erin":  "user/erin —iam:PassRole+datapipeline:CreatePipeline+datapipeline:PutPipelineDefinition+datapipeline:ActivatePipeline→ role/datapipeline-admin",
			"user/frank": "no",
		}},
	}
}

func lambdaPassRoleScenarios() []scenario {
	lambdaRole := func(f *fx) { f.role("lambda-admin", trustService("lambda.amazonaws.com"), []string{adminDoc}) }
	passTo := func(svc string) string {
		return allowIf("iam:PassRole", arn("role", "lambda-admin"), `{"StringEquals":{"iam:PassedToService":"`+svc+`"}}`)
	}
	lambdaPath := "user/alice —iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction→ role/lambda-admin"
	return []scenario{
		{name: "PassRole to Lambda + CreateFunction + InvokeFunction", build: func(f *fx) {
			lambdaRole(f)
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", "*"), allow("lambda:InvokeFunction", "*"))})
		}, want: map[string]string{"user/alice": lambdaPath}},
		{name: "PassRole to Lambda + CreateFunction + event source mapping", build: func(f *fx) {
			lambdaRole(f)
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", "*"), allow("lambda:CreateEventSourceMapping", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping→ role/lambda-admin"}},
		{name: "PassRole to Lambda, CreateFunction and InvokeFunction only on named functions", build: func(f *fx) {
			lambdaRole(f)
			dev := "arn:aws:lambda:eu-*:" + acct + ":function:dev-*"
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", dev), allow("lambda:InvokeFunction", dev))})
		}, want: map[string]string{"user/alice": lambdaPath}},
		{name: "PassRole to Lambda, creates dev-* but may invoke only prod-* (negative)", build: func(f *fx) {
			lambdaRole(f)
			fn := "arn:aws:lambda:eu-west-1:" + acct + ":function:"
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", fn+"dev-*"), allow("lambda:InvokeFunction", fn+"prod-*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to Lambda, CreateFunction only in another account (negative)", build: func(f *fx) {
			lambdaRole(f)
			other := "arn:aws:lambda:*:999999999999:function:*"
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", other), allow("lambda:InvokeFunction", other))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PassRole to Lambda, the pattern names layers, not functions (negative)", build: func(f *fx) {
			lambdaRole(f)
			layers := "arn:aws:lambda:*:" + acct + ":layer:*"
			attacker(f, []string{doc(passTo("lambda.amazonaws.com"), allow("lambda:CreateFunction", layers), allow("lambda:InvokeFunction", layers))})
		}, want: map[string]string{"user/alice": "no"}},
	}
}

func takeoverScenarios() []scenario {
	return []scenario{
		{name: "UpdateFunctionCode on a function running as an admin role", build: func(f *fx) {
			r := f.role("fn-admin", trustService("lambda.amazonaws.com"), []string{adminDoc})
			f.function("worker", r)
			attacker(f, []string{doc(allow("lambda:UpdateFunctionCode", "arn:aws:lambda:*:*:function:worker"))})
		}, want: map[string]string{"user/alice": "user/alice —lambda:UpdateFunctionCode→ role/fn-admin"}},
		{name: "UpdateFunctionCode on another function (negative)", build: func(f *fx) {
			r := f.role("fn-admin", trustService("lambda.amazonaws.com"), []string{adminDoc})
			f.function("worker", r)
			attacker(f, []string{doc(allow("lambda:UpdateFunctionCode", "arn:aws:lambda:*:*:function:other"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "SendCommand on an instance whose profile is an admin role", build: func(f *fx) {
			r := f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			f.instance("i-1", r)
			attacker(f, []string{doc(allow("ssm:SendCommand", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —ssm:SendCommand→ role/ec2-admin"}},
		{name: "StartSession only on the instance whose profile is an admin role", build: func(f *fx) {
			r := f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			f.instance("i-1", r)
			attacker(f, []string{doc(allow("ssm:StartSession", "arn:aws:ec2:us-east-1:"+acct+":instance/i-1"))})
		}, want: map[string]string{"user/alice": "user/alice —ssm:StartSession→ role/ec2-admin"}},
		{name: "SendCommand and StartSession only on another instance (negative)", build: func(f *fx) {
			r := f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			f.instance("i-1", r)
			other := "arn:aws:ec2:us-east-1:" + acct + ":instance/i-2"
			attacker(f, []string{doc(allow("ssm:SendCommand", other), allow("ssm:SendCommand", "arn:aws:ssm:*::document/*"), allow("ssm:StartSession", other))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "SendCommand: explicit deny on the instance (negative)", build: func(f *fx) {
			r := f.role("ec2-admin", trustService("ec2.amazonaws.com"), []string{adminDoc}, withProfile())
			f.instance("i-1", r)
			attacker(f, []string{doc(allow("ssm:*", "*"), deny("ssm:*", "arn:aws:ec2:*:*:instance/i-1"))})
		}, want: map[string]string{"user/alice": "no"}},
	}
}

func policyScenarios() []scenario {
	self := arn("user", "${aws:username}")
	return []scenario{
		{name: "PutUserPolicy on itself", build: func(f *fx) {
			attacker(f, []string{doc(allow("iam:PutUserPolicy", self))})
		}, want: map[string]string{"user/alice": "user/alice —iam:PutUserPolicy→ user/alice"}},
		{name: "PutUserPolicy on itself, boundary caps it (negative)", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:PutUserPolicy", "*")))
			attacker(f, []string{doc(allow("iam:PutUserPolicy", self))}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "AttachRolePolicy on a role it can assume", build: func(f *fx) {
			f.role("ops", trustAWS(arn("user", "alice")), nil)
			attacker(f, []string{doc(allow("iam:AttachRolePolicy", arn("role", "ops")))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AttachRolePolicy→ role/ops; user/alice —sts:AssumeRole→ role/ops"}},
		{name: "AttachUserPolicy on itself, only of ReadOnlyAccess (iam:PolicyARN, negative)", build: func(f *fx) {
			attacker(f, []string{doc(allowIf("iam:AttachUserPolicy", self, `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "AttachUserPolicy on itself, only of AdministratorAccess (iam:PolicyARN)", build: func(f *fx) {
			attacker(f, []string{doc(allowIf("iam:AttachUserPolicy", self, `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/AdministratorAccess"}}`))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AttachUserPolicy→ user/alice"}},
		{name: "AttachRolePolicy, anything but the AWS admin policies, a customer admin policy exists", build: func(f *fx) {
			f.role("ops", trustAWS(arn("user", "alice")), nil)
			f.managed("arn:aws:iam::"+acct+":policy/MyAdmin", adminDoc)
			attacker(f, []string{doc(allowIf("iam:AttachRolePolicy", arn("role", "ops"), `{"ArnNotLike":{"iam:PolicyARN":"arn:aws:iam::aws:policy/*"}}`))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AttachRolePolicy→ role/ops; user/alice —sts:AssumeRole→ role/ops"}},
		{name: "AttachRolePolicy, anything but the AWS admin policies, no customer admin policy (negative)", build: func(f *fx) {
			f.role("ops", trustAWS(arn("user", "alice")), nil)
			f.managed("arn:aws:iam::"+acct+":policy/S3", doc(allow("s3:*", "*")))
			attacker(f, []string{doc(allowIf("iam:AttachRolePolicy", arn("role", "ops"), `{"ArnNotLike":{"iam:PolicyARN":"arn:aws:iam::aws:policy/*"}}`))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "AttachRolePolicy, anything but the AWS policies, and CreatePolicy", build: func(f *fx) {
			f.role("ops", trustAWS(arn("user", "alice")), nil)
			attacker(f, []string{doc(allowIf("iam:AttachRolePolicy", arn("role", "ops"), `{"ArnNotLike":{"iam:PolicyARN":"arn:aws:iam::aws:policy/*"}}`),
				allow("iam:CreatePolicy", "arn:aws:iam::"+acct+":policy/alice-*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AttachRolePolicy→ role/ops; user/alice —sts:AssumeRole→ role/ops"}},
		{name: "AttachRolePolicy on a role it cannot become (negative)", build: func(f *fx) {
			f.role("ops", nobody, nil)
			attacker(f, []string{doc(allow("iam:AttachRolePolicy", arn("role", "ops")))})
		}, want: map[string]string{"user/alice": "no", "role/ops": "no"}},
		{name: "PutRolePolicy on a reserved SSO role it can assume (negative)", build: func(f *fx) {
			f.role("aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_01", trustAWS(arn("user", "alice")), nil)
			attacker(f, []string{doc(allow("iam:PutRolePolicy", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "AttachUserPolicy delegated only with a boundary; it has none (iam:PermissionsBoundary, negative)", build: func(f *fx) {
			attacker(f, []string{doc(allowIf("iam:AttachUserPolicy", arn("user", "*"), `{"StringEquals":{"iam:PermissionsBoundary":"`+s3Only+`"}}`))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PutUserPolicy delegated only with an allow-all boundary, which it has", build: func(f *fx) {
			open := "arn:aws:iam::" + acct + ":policy/Open"
			f.managed(open, adminDoc)
			attacker(f, []string{doc(allowIf("iam:PutUserPolicy", arn("user", "*"), `{"StringEquals":{"iam:PermissionsBoundary":"`+open+`"}}`))}, withBoundary(open))
		}, want: map[string]string{"user/alice": "user/alice —iam:PutUserPolicy→ user/alice"}},
	}
}

func groupScenarios() []scenario {
	return []scenario{
		{name: "AddUserToGroup into an admin group", build: func(f *fx) {
			f.group("admins", []string{adminDoc})
			attacker(f, []string{doc(allow("iam:AddUserToGroup", arn("group", "admins")))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AddUserToGroup→ user/alice"}},
		{name: "AddUserToGroup: explicit deny (negative)", build: func(f *fx) {
			f.group("admins", []string{adminDoc})
			attacker(f, []string{doc(allow("iam:AddUserToGroup", "*"), deny("iam:AddUserToGroup", arn("group", "admins")))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "AddUserToGroup into a group it can then write", build: func(f *fx) {
			f.group("empty", nil)
			attacker(f, []string{doc(allow("iam:AddUserToGroup", arn("group", "empty")), allow("iam:PutGroupPolicy", arn("group", "empty")))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AddUserToGroup+iam:PutGroupPolicy→ user/alice"}},
		{name: "AddUserToGroup into one group, PutGroupPolicy on another (negative)", build: func(f *fx) {
			f.group("empty", nil)
			f.group("other", nil)
			attacker(f, []string{doc(allow("iam:AddUserToGroup", arn("group", "empty")), allow("iam:PutGroupPolicy", arn("group", "other")), allow("iam:AttachGroupPolicy", arn("group", "other")))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "AddUserToGroup into a group it can attach AdministratorAccess to", build: func(f *fx) {
			f.group("empty", nil)
			attacker(f, []string{doc(allow("iam:AddUserToGroup", arn("group", "empty")), allow("iam:AttachGroupPolicy", arn("group", "empty")))})
		}, want: map[string]string{"user/alice": "user/alice —iam:AddUserToGroup+iam:AttachGroupPolicy→ user/alice"}},
		{name: "PutGroupPolicy on its own group", build: func(f *fx) {
			a := f.user("alice", []string{doc(allow("iam:PutGroupPolicy", arn("group", "dev")))})
			f.group("dev", nil, a)
		}, want: map[string]string{"user/alice": "user/alice —iam:PutGroupPolicy→ user/alice"}},
		{name: "PutGroupPolicy on another group (negative)", build: func(f *fx) {
			a := f.user("alice", []string{doc(allow("iam:PutGroupPolicy", arn("group", "other")))})
			f.group("dev", nil, a)
			f.group("other", nil)
		}, want: map[string]string{"user/alice": "no"}},
	}
}

func versionScenarios() []scenario {
	custom := "arn:aws:iam::" + acct + ":policy/alice-tools"
	return []scenario{
		{name: "CreatePolicyVersion on its own customer managed policy", build: func(f *fx) {
			a := f.user("alice", nil)
			f.managed(custom, doc(allow("iam:CreatePolicyVersion", custom)), a)
		}, want: map[string]string{"user/alice": "user/alice —iam:CreatePolicyVersion→ user/alice"}},
		{name: "CreatePolicyVersion on a policy at the five-version limit (negative)", build: func(f *fx) {
			a := f.user("alice", nil)
			p := f.managed(custom, doc(allow("iam:CreatePolicyVersion", custom)), a)
			f.versions(p, doc(allow("s3:*", "*")), doc(allow("s3:*", "*")), doc(allow("s3:*", "*")), doc(allow("s3:*", "*")))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreatePolicyVersion at the limit, after DeletePolicyVersion", build: func(f *fx) {
			a := f.user("alice", nil)
			p := f.managed(custom, doc(allow("iam:CreatePolicyVersion", custom), allow("iam:DeletePolicyVersion", custom)), a)
			f.versions(p, doc(allow("s3:*", "*")), doc(allow("s3:*", "*")), doc(allow("s3:*", "*")), doc(allow("s3:*", "*")))
		}, want: map[string]string{"user/alice": "user/alice —iam:CreatePolicyVersion→ user/alice"}},
		{name: "CreatePolicyVersion on an AWS managed policy (negative)", build: func(f *fx) {
			a := f.user("alice", []string{doc(allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*"))})
			f.managed("arn:aws:iam::aws:policy/ReadOnlyAccess", doc(allow("s3:Get*", "*")), a)
		}, want: map[string]string{"user/alice": "no"}},
		{name: "SetDefaultPolicyVersion: an admin version of its own policy", build: func(f *fx) {
			a := f.user("alice", nil)
			p := f.managed(custom, doc(allow("iam:SetDefaultPolicyVersion", custom)), a)
			f.versions(p, doc(allow("s3:*", "*")), adminDoc)
		}, want: map[string]string{"user/alice": "user/alice —iam:SetDefaultPolicyVersion→ user/alice"}},
		{name: "SetDefaultPolicyVersion: no version grants more (negative)", build: func(f *fx) {
			a := f.user("alice", nil)
			p := f.managed(custom, doc(allow("iam:SetDefaultPolicyVersion", custom)), a)
			f.versions(p, doc(allow("s3:*", "*")), doc(allow("iam:Get*", "*")))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "SetDefaultPolicyVersion: admin version, but the action is allowed on another policy only (negative)", build: func(f *fx) {
			a := f.user("alice", []string{doc(allow("iam:SetDefaultPolicyVersion", custom+"-other"))})
			p := f.managed(custom, doc(allow("s3:*", "*")), a)
			f.versions(p, adminDoc)
		}, want: map[string]string{"user/alice": "no"}},
		{name: "SetDefaultPolicyVersion on the policy of a role it can assume", build: func(f *fx) {
			r := f.role("ops", trustAWS(arn("user", "alice")), nil)
			p := f.managed(custom, doc(allow("s3:*", "*")), r)
			f.versions(p, adminDoc)
			attacker(f, []string{doc(allow("iam:SetDefaultPolicyVersion", "*"))})
		}, want: map[string]string{"user/alice": "user/alice —iam:SetDefaultPolicyVersion→ role/ops; user/alice —sts:AssumeRole→ role/ops"}},
		{name: "SetDefaultPolicyVersion: the role's boundary caps the admin version (negative)", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*")))
			r := f.role("ops", trustAWS(arn("user", "alice")), nil, withBoundary(s3Only))
			p := f.managed(custom, doc(allow("s3:*", "*")), r)
			f.versions(p, adminDoc)
			attacker(f, []string{doc(allow("iam:SetDefaultPolicyVersion", "*"))})
		}, want: map[string]string{"user/alice": "no"}},
		{name: "SetDefaultPolicyVersion on its boundary policy lifts the boundary", build: func(f *fx) {
			b := f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:SetDefaultPolicyVersion", "*")))
			f.versions(b, adminDoc)
			attacker(f, []string{adminDoc}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "user/alice —iam:SetDefaultPolicyVersion→ user/alice"}},
		{name: "SetDefaultPolicyVersion on an AWS managed policy (negative)", build: func(f *fx) {
			a := f.user("alice", []string{doc(allow("iam:SetDefaultPolicyVersion", "*"))})
			p := f.managed("arn:aws:iam::aws:policy/ReadOnlyAccess", doc(allow("s3:Get*", "*")), a)
			f.versions(p, adminDoc) // never stored by fetch-iam; refused by AWS anyway
		}, want: map[string]string{"user/alice": "no"}},
		{name: "CreatePolicyVersion on its boundary policy", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:CreatePolicyVersion", "*")))
			attacker(f, []string{adminDoc}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "user/alice —iam:CreatePolicyVersion→ user/alice"}},
	}
}

func boundaryScenarios() []scenario {
	return []scenario{
		{name: "PutUserPermissionsBoundary only of a restrictive boundary (negative)", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:PutUserPermissionsBoundary", "*")))
			attacker(f, []string{doc(`{"Effect":"Allow","NotAction":"iam:PutUserPermissionsBoundary","Resource":"*"}`,
				allowIf("iam:PutUserPermissionsBoundary", "*", `{"StringEquals":{"iam:PermissionsBoundary":"`+s3Only+`"}}`))}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "PutUserPermissionsBoundary, any boundary", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:PutUserPermissionsBoundary", "*")))
			attacker(f, []string{doc(`{"Effect":"Allow","NotAction":"iam:PutUserPermissionsBoundary","Resource":"*"}`,
				allow("iam:PutUserPermissionsBoundary", "*"))}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "user/alice —iam:PutUserPermissionsBoundary→ user/alice"}},
		{name: "PutUserPermissionsBoundary of AdministratorAccess on itself", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:PutUserPermissionsBoundary", "*")))
			attacker(f, []string{adminDoc}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "user/alice —iam:PutUserPermissionsBoundary→ user/alice"}},
		{name: "DeleteUserPermissionsBoundary: denied on its boundary (iam:PermissionsBoundary, negative)", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:DeleteUserPermissionsBoundary", "*")))
			attacker(f, []string{adminDoc, doc(`{"Effect":"Deny","Action":"iam:DeleteUserPermissionsBoundary","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + s3Only + `"}}}`)}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "no"}},
		{name: "DeleteUserPermissionsBoundary on itself", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*"), allow("iam:DeleteUserPermissionsBoundary", "*")))
			attacker(f, []string{adminDoc}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "user/alice —iam:DeleteUserPermissionsBoundary→ user/alice"}},
		{name: "DeleteUserPermissionsBoundary: boundary does not allow it (negative)", build: func(f *fx) {
			f.managed(s3Only, doc(allow("s3:*", "*")))
			attacker(f, []string{adminDoc}, withBoundary(s3Only))
		}, want: map[string]string{"user/alice": "no"}},
	}
}

func adminScenarios() []scenario {
	return []scenario{
		{name: "administrators", build: func(f *fx) {
			f.user("star", []string{adminDoc})
			f.user("iamfull", []string{doc(allow("iam:*", "*"))})
			f.user("notiam", []string{doc(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)})
			f.user("mfa", []string{doc(allowIf("*", "*", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`))})
			f.user("denied", []string{doc(allow("*", "*"), deny("iam:*", "*"))})
			f.user("reader", []string{doc(allow("iam:Get*", "*"))})
		}, want: map[string]string{"user/star": "admin", "user/iamfull": "admin", "user/notiam": "no",
			"user/mfa": "admin?", "user/denied": "no", "user/reader": "no"}},
		{name: "SCP caps an allow-all user", build: func(f *fx) {
			f.user("star", []string{adminDoc})
		}, opts: scps(doc(allow("s3:*", "*"))), want: map[string]string{"user/star": "no"}},
	}
}

func chainScenarios() []scenario {
	return []scenario{
		{name: "A updates B's trust; B passes an admin role to Lambda", build: func(f *fx) {
			f.role("lambda-admin", trustService("lambda.amazonaws.com"), []string{adminDoc})
			f.role("b", nobody, []string{doc(allow("iam:PassRole", arn("role", "lambda-admin")), allow("lambda:CreateFunction", "*"), allow("lambda:InvokeFunction", "*"))})
			f.user("a", []string{doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "b")), allow("sts:AssumeRole", arn("role", "b")))})
		}, want: map[string]string{
			"user/a": "user/a —iam:UpdateAssumeRolePolicy→ role/b —iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction→ role/lambda-admin",
			"role/b": "role/b —iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction→ role/lambda-admin",
		}},
		{name: "assume, then reset an admin's access key; the shortest path wins", build: func(f *fx) {
			adminUser(f)
			f.role("helpdesk", trustAWS(arn("user", "alice")), []string{doc(allow("iam:CreateAccessKey", "*"))})
			f.role("long", trustAWS(arn("user", "alice")), []string{doc(allow("sts:AssumeRole", "*"))})
			attacker(f, []string{doc(allow("sts:AssumeRole", "*"))})
		}, want: map[string]string{
			"user/alice":    "user/alice —sts:AssumeRole→ role/helpdesk —iam:CreateAccessKey→ user/admin",
			"role/helpdesk": "role/helpdesk —iam:CreateAccessKey→ user/admin",
		}},
		{name: "an unconditional path is preferred to a shorter conditional one", build: func(f *fx) {
			adminUser(f)
			f.role("helpdesk", trustAWS(arn("user", "alice")), []string{doc(allow("iam:CreateAccessKey", "*"))})
			attacker(f, []string{doc(allow("sts:AssumeRole", "*"), allowIf("iam:CreateAccessKey", "*", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`))})
		}, want: map[string]string{"user/alice": "user/alice —sts:AssumeRole→ role/helpdesk —iam:CreateAccessKey→ user/admin"}},
	}
}

func TestScenarios(t *testing.T) {
	var all []scenario
	for _, s := range [][]scenario{credentialScenarios(), trustScenarios(), passRoleScenarios(), lambdaPassRoleScenarios(), takeoverScenarios(),
		policyScenarios(), groupScenarios(), versionScenarios(), boundaryScenarios(), adminScenarios(), chainScenarios()} {
		all = append(all, s...)
	}
	for _, s := range all {
		t.Run(s.name, func(t *testing.T) {
			f := newFx(t)
			s.build(f)
			res := f.analyze(s.opts)
			for name, want := range s.want {
				if got := summary(res, "arn:aws:iam::"+acct+":"+name); got != want {
					t.Errorf("%s: got %q\nwant %q", name, got, want)
				}
			}
			checkPaths(t, res)
		})
	}
}

// checkPaths: every adminPath step is an edge the analysis emitted (or a
// CAN_ASSUME), so a path is never invented.
func checkPaths(t *testing.T, res *Result) {
	t.Helper()
	steps := map[string]bool{}
	for _, e := range res.Edges {
		steps[e.From.short()+" —"+e.Technique+"→ "+e.To.short()] = true
	}
	for key, p := range res.Props {
		path, _ := p["adminPath"].(string)
		if path == "" {
			continue
		}
		for _, part := range strings.Split(path, "; ") {
			fields := strings.Split(part, " —")
			for i := 1; i < len(fields); i++ {
				from := fields[i-1]
				if j := strings.LastIndex(from, "→ "); j >= 0 {
					from = from[j+len("→ "):]
				}
				step := from + " —" + fields[i]
				if k := strings.Index(fields[i], "→ "); k >= 0 && !strings.Contains(fields[i], "sts:AssumeRole→") {
					if !steps[from+" —"+fields[i][:k]+"→ "+strings.Fields(fields[i][k+len("→ "):])[0]] {
						t.Errorf("%s: path step %q is not an emitted edge", key, step)
					}
				}
			}
		}
	}
}

// TestEdgesOnePerTechniqueAndTarget: edges are unique by (principal,
// technique, target) and carry actions and condition keys.
func TestEdgesOnePerTechniqueAndTarget(t *testing.T) {
	f := newFx(t)
	adminUser(f)
	f.user("bob", nil)
	attacker(f, []string{doc(allowIf("iam:CreateAccessKey", "*", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), allow("iam:CreateAccessKey", arn("user", "bob")))})
	res := f.analyze(Options{})
	var got []string
	for _, e := range res.Edges {
		r := Relationship(e)
		got = append(got, fmt.Sprintf("%s %s %s %v %v %v", r.Type(), r.Class(), r["technique"], r["actions"], r["conditional"], r["conditionKeys"]))
	}
	sort.Strings(got)
	want := []string{
		`aws_iam_user_can_escalate_to_user MANAGES iam:CreateAccessKey ["iam:CreateAccessKey"] false []`,
		`aws_iam_user_can_escalate_to_user MANAGES iam:CreateAccessKey ["iam:CreateAccessKey"] true ["aws:MultiFactorAuthPresent"]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("edges:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoginProfileUnknownEdges: with the password state unread, both
// login-profile edges are kept, conditional on the pseudo key; a known
// state leaves only the technique IAM accepts, unconditional.
func TestLoginProfileUnknownEdges(t *testing.T) {
	f := newFx(t)
	f.user("unread", nil, unreported())
	f.user("haspw", nil, withPassword(true))
	attacker(f, []string{doc(allow("iam:CreateLoginProfile", "*"), allow("iam:UpdateLoginProfile", "*"))})
	res := f.analyze(Options{})
	var got []string
	for _, e := range res.Edges {
		r := Relationship(e)
		got = append(got, fmt.Sprintf("%s %s %v %v", e.To.short(), r["technique"], r["conditional"], r["conditionKeys"]))
	}
	sort.Strings(got)
	want := []string{
		`user/haspw iam:UpdateLoginProfile false []`,
		`user/unread iam:CreateLoginProfile true ["awsgraph:loginProfileExists"]`,
		`user/unread iam:UpdateLoginProfile true ["awsgraph:loginProfileExists"]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("edges:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestUnknownInputs: a principal whose policy document was not collected
// gets no derived values (kept from the previous run by the step), nor do
// principals whose only way to admin goes through it; a principal that
// reaches a known administrator anyway is still answered.
func TestUnknownInputs(t *testing.T) {
	f := newFx(t)
	adminUser(f)
	half := f.user("half", nil)
	f.managed("arn:aws:iam::"+acct+":policy/unread", "", half)
	f.user("viahalf", []string{doc(allow("iam:CreateAccessKey", arn("user", "half")))})
	f.user("both", []string{doc(allow("iam:CreateAccessKey", "*"))})
	f.user("plain", []string{doc(allow("s3:*", "*"))})
	res := f.analyze(Options{})
	want := map[string]string{
		"user/half": "unknown", "user/viahalf": "unknown", "user/both": "user/both —iam:CreateAccessKey→ user/admin",
		"user/plain": "no", "user/admin": "admin",
	}
	for name, w := range want {
		if got := summary(res, arn("", "")[:len("arn:aws:iam::"+acct+":")]+name); got != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
	if fmt.Sprint(res.UnknownSources) != "["+arn("user", "half")+"]" {
		t.Errorf("unknown sources %v", res.UnknownSources)
	}
	// half's own policies are unread: nothing written; viahalf's are read:
	// its isAdmin is written, its closure values kept.
	if fmt.Sprint(res.AdminUnknown) != "["+arn("user", "half")+"]" || res.Props[arn("user", "half")]["isAdmin"] != nil {
		t.Errorf("AdminUnknown %v, half %v", res.AdminUnknown, res.Props[arn("user", "half")])
	}
	if v := res.Props[arn("user", "viahalf")]; v["isAdmin"] != false || v["canBecomeAdmin"] != nil {
		t.Errorf("viahalf %v", v)
	}
	for _, e := range res.Edges {
		if e.From.arn == arn("user", "half") {
			t.Errorf("edge from a principal with unknown policies: %s", e.Technique)
		}
	}
}

// TestRegionalInputsIncomplete: when functions or instances were not all
// read, a principal that might take over code is unknown, not "no".
func TestRegionalInputsIncomplete(t *testing.T) {
	f := newFx(t)
	adminUser(f)
	f.user("coder", []string{doc(allow("lambda:UpdateFunctionCode", "*"))})
	f.user("coderkeys", []string{doc(allow("lambda:UpdateFunctionCode", "*"), allow("iam:CreateAccessKey", arn("user", "admin")))})
	f.user("keys", []string{doc(allow("iam:CreateAccessKey", "*"))})
	f.user("reader", []string{doc(allow("s3:Get*", "*"))})
	res := f.analyze(Options{RegionalInputsIncomplete: true})
	for name, w := range map[string]string{"user/coder": "unknown", "user/keys": "user/keys —iam:CreateAccessKey→ user/admin", "user/reader": "no",
		"user/coderkeys": "user/coderkeys —iam:CreateAccessKey→ user/admin"} {
		if got := summary(res, "arn:aws:iam::"+acct+":"+name); got != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
	// Only what depends on the unread functions is kept: coder's own
	// isAdmin is written, its closure values are not.
	coder := res.Props[arn("user", "coder")]
	if coder["isAdmin"] != false || coder["canBecomeAdmin"] != nil || fmt.Sprint(res.AdminUnknown) != "[]" {
		t.Errorf("coder props %v, AdminUnknown %v", coder, res.AdminUnknown)
	}
	if fmt.Sprint(res.UnknownSources) != fmt.Sprint([]string{arn("user", "coder"), arn("user", "coderkeys")}) {
		t.Errorf("unknown sources %v", res.UnknownSources)
	}
}
