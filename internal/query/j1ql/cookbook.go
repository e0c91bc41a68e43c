package j1ql

import (
	"fmt"
	"strings"
)

// Example is one cookbook entry: a question security engineers ask and the
// J1QL that answers it on awsgraph's graph.
type Example struct {
	Question string
	Query    string
	Note     string
}

// Cookbook is the README's cookbook and `awsgraph query --examples`; a test
// runs every query on the demo account and checks its answer.
var Cookbook = []Example{
	{
		Question: "Which hosts can the Internet reach on SSH?",
		Query: "FIND Internet THAT ALLOWS >> AS rule aws_ec2_security_group THAT PROTECTS >> aws_ec2_instance AS host " +
			"WHERE rule.fromPort <= 22 AND rule.toPort >= 22 AND (rule.ipProtocol = 'tcp' OR rule.ipProtocol = '*') AND host.internetReachable = true " +
			"RETURN host.displayName, host.publicIpAddress",
		Note: "ingress rules from 0.0.0.0/0 or ::/0 whose port range holds 22, on instances with an address the Internet can reach",
	},
	{
		Question: "Which buckets are public?",
		Query:    "FIND aws_s3_bucket WITH public = true RETURN aws_s3_bucket.name, aws_s3_bucket.publicByAcl, aws_s3_bucket.publicByPolicy",
	},
	{
		Question: "Which IAM users have no MFA device?",
		Query:    "FIND aws_iam_user WITH isMfaEnabled != true RETURN aws_iam_user.name ORDER BY aws_iam_user.name",
	},
	{
		Question: "Who can assume a role with administrator access?",
		Query: "FIND * AS who THAT CAN_ASSUME >> aws_iam_role AS role THAT ASSIGNED >> AccessPolicy WITH admin = true " +
			"RETURN who._type, who.displayName, role.roleName",
		Note: "CAN_ASSUME weighs the trust policy and the principal's own policies (a Deny wins)",
	},
	{
		Question: "Which roles trust another account?",
		Query: "FIND aws_iam_role AS role THAT TRUSTS >> aws_account AS acct WHERE role.accountId != acct.accountId " +
			"RETURN role.roleName, acct.accountId",
		Note: "accounts outside the store appear as mapped placeholders (_source system-mapper)",
	},
	{
		Question: "Which EBS volumes are not encrypted?",
		Query:    "FIND aws_ec2_volume WITH encrypted != true RETURN aws_ec2_volume.volumeId, aws_ec2_volume.state, aws_ec2_volume.attachedInstanceIds",
	},
	{
		Question: "Which Lambda functions run with an administrator role?",
		Query: "FIND aws_lambda_function AS fn THAT ASSIGNED >> aws_iam_role AS role THAT ASSIGNED >> AccessPolicy WITH admin = true " +
			"RETURN fn.functionName, role.roleName",
		Note: "the execution role's managed and inline policies",
	},
	{
		Question: "Which security groups allow all traffic from anywhere?",
		Query: "FIND Internet THAT ALLOWS >> AS rule aws_ec2_security_group AS sg " +
			"WHERE rule.ipProtocol = '*' OR (rule.fromPort <= 0 AND rule.toPort >= 65535) RETURN sg.groupId, sg.groupName",
	},
	{
		Question: "Which security groups let the Internet in at all, on which ports?",
		Query:    "FIND aws_ec2_security_group WITH allowsInternetIngress = true RETURN aws_ec2_security_group.groupName, aws_ec2_security_group.internetIngressPorts",
	},
	{
		Question: "How many entities of each class hold data?",
		Query:    "FIND DataStore AS d RETURN d._type, count(d) ORDER BY count(d) DESC",
	},
}

// CookbookText renders the cookbook for the terminal.
func CookbookText() string {
	var b strings.Builder
	b.WriteString("J1QL cookbook (awsgraph query '<J1QL>'; --format json for machines):\n")
	for i, e := range Cookbook {
		fmt.Fprintf(&b, "\n%d. %s\n   awsgraph query %q\n", i+1, e.Question, e.Query)
		if e.Note != "" {
			fmt.Fprintf(&b, "   (%s)\n", e.Note)
		}
	}
	return b.String()
}
