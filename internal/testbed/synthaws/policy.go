package synthaws

import (
	"bytes"
	"fmt"
	"strings"
)

// policyDocument is managed policy p: policy 0 is an administrator policy;
// the others mix S3 object access, read-only EC2, tag-conditioned instance
// control over 16 instances, PassRole/AssumeRole over 10 roles, and explicit denies;
// policy 1 adds escalation-prone IAM writes. Resource patterns are
// narrow so the policy analysis fans out as real estates do.
func (s *Server) policyDocument(p int) string {
	if p == 0 {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	}
	st := []string{
		fmt.Sprintf(`{"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::%s/*"}`, bucketName(p%max(s.sizes.Buckets, 1))),
		`{"Sid":"Read","Effect":"Allow","Action":["ec2:Describe*","iam:Get*","iam:List*"],"Resource":"*"}`,
	}
	if p%10 == 0 && s.sizes.Instances > 0 {
		prefix := id("i", 0, (p*16)%s.sizes.Instances)
		st = append(st, fmt.Sprintf(`{"Sid":"Ops","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"%s","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}`,
			s.sizes.arn("ec2", s.sizes.Regions[0], "instance/"+prefix[:len(prefix)-1]+"*")))
	}
	if p%25 == 0 && s.sizes.Roles > 0 {
		r := roleName((p * 10) % s.sizes.Roles)
		st = append(st, fmt.Sprintf(`{"Sid":"Pass","Effect":"Allow","Action":["iam:PassRole","sts:AssumeRole"],"Resource":"%s*"}`, s.iamArn("role", r[:len(r)-1])))
	}
	if p == 1 {
		st = append(st, `{"Sid":"Escalate","Effect":"Allow","Action":["iam:CreatePolicyVersion","iam:AttachUserPolicy"],"Resource":"*"}`)
	}
	if p%7 == 0 {
		st = append(st, `{"Sid":"NoDelete","Effect":"Deny","Action":["s3:DeleteObject","ec2:TerminateInstances"],"Resource":"*"}`)
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

// credentialReport is the CSV AWS generates: the root user, then every user.
func (s *Server) credentialReport() []byte {
	var b bytes.Buffer
	b.WriteString("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")
	fmt.Fprintf(&b, "<root_account>,arn:aws:iam::%s:root,%s,not_supported,%s,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
		s.sizes.AccountID, stamp(0)[:19]+"+00:00", stamp(10)[:19]+"+00:00")
	for u := 0; u < s.sizes.Users; u++ {
		created := stamp(u % 600)[:19] + "+00:00"
		pw, mfa, key := u%3 == 0, u%6 == 0, u%2 == 0
		lastUsed, rotated := "N/A", "N/A"
		if key {
			rotated = stamp(u%600 + 5)[:19] + "+00:00"
			lastUsed = stamp(u%600 + 30)[:19] + "+00:00"
		}
		pwUsed := "N/A"
		if pw {
			pwUsed = stamp(u%600 + 40)[:19] + "+00:00"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%t,%s,%s,N/A,%t,%t,%s,%s,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
			userName(u), s.iamArn("user", userName(u)), created, pw, pwUsed, created, mfa, key, rotated, lastUsed)
	}
	return b.Bytes()
}
