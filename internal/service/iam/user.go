package iam

import (
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// NewUserEntity converts a GAAD user. The credential-report properties
// (passwordEnabled, passwordLastUsed, isMfaEnabled, access-key metadata) are
// set by the credential-report step. As data model 0.64.2 wants, `username`,
// `email` and `shortLoginId` are lists; `email` is null (and firstName and
// lastName are) when IAM does not say.
func NewUserEntity(acct Account, u types.UserDetail) graph.Entity {
	arn := aws.ToString(u.Arn)
	name := aws.ToString(u.UserName)
	e := schema.User.New(arn, name)
	e.Set("accountId", acct.ID)
	e.Set("arn", arn)
	e.Set("username", []string{name})
	e.Set("shortLoginId", []string{shortLoginID(name)})
	e.Set("firstName", nil)
	e.Set("lastName", nil)
	e.Set("userId", u.UserId)
	e.Set("path", u.Path)
	e.Set("createdOn", ms(u.CreateDate))
	e.Set("webLink", acct.consoleBase()+"users/"+name)
	var boundary *string
	if u.PermissionsBoundary != nil {
		boundary = u.PermissionsBoundary.PermissionsBoundaryArn
	}
	e.Set("permissionsBoundaryArn", boundary)
	setTags(e, u.Tags)
	if emails := UserEmails(name, u.Tags); len(emails) > 0 {
		e.Set("email", emails)
	} else {
		e.Set("email", nil)
	}
	return e
}

// shortLoginID is the login name without the domain when the user name is
// an e-mail address (first.last@example.com → first.last), else the name.
func shortLoginID(name string) string {
	if _, ok := EmailAddress(name); ok {
		return name[:strings.LastIndex(name, "@")]
	}
	return name
}

// UserEmails returns the lower-cased e-mail addresses of an IAM user: its
// name when the name is an address, then its Email tag (tag key compared
// case-insensitively) when that holds another one.
func UserEmails(userName string, tags []types.Tag) []string {
	var out []string
	if addr, ok := EmailAddress(userName); ok {
		out = append(out, addr)
	}
	if v, ok := tagValue(tags, "Email"); ok {
		if addr, ok := EmailAddress(strings.TrimSpace(v)); ok && (len(out) == 0 || out[0] != addr) {
			out = append(out, addr)
		}
	}
	return out
}

// EmailAddress reports whether s is, as a whole, a bare RFC 5322 addr-spec
// whose domain contains a dot (no display name, no angle brackets, no
// comments), and returns it lower-cased.
func EmailAddress(s string) (string, bool) {
	if s == "" || strings.ContainsAny(s, "<>()\" \t\r\n") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	at := strings.LastIndex(s, "@")
	if at <= 0 {
		return "", false
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return "", false
	}
	return strings.ToLower(s), true
}

// UserIsPerson returns the mapped "IAM user IS Person" relationships of a user
// entity: one per address of UserEmails, targeting the Person with that
// (lower-cased) address and never creating it.
func UserIsPerson(user graph.Entity, emails []string) []graph.Relationship {
	out := make([]graph.Relationship, 0, len(emails))
	for _, addr := range emails {
		out = append(out, graph.Mapped(UserIsPersonType, "IS", user, graph.Forward,
			map[string]any{"_class": "Person", "email": addr, "displayName": addr},
			[]string{"_class", "email"}, true, nil))
	}
	return out
}
