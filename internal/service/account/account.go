// Package account produces the aws_account entity every resource hangs off,
// and the helpers other services use for "account HAS resource".
package account

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/console"
)

const (
	// Type is the account entity type.
	Type = schema.TypeAccount
	// StepID is the step that adds the account entity; steps that add
	// "account HAS x" depend on it.
	StepID = schema.StepAccount
)

// Key is the account entity key: the account's root principal ARN, which is
// also how trust and resource policies name the account.
func Key(partition, accountID string) string {
	return "arn:" + partition + ":iam::" + accountID + ":root"
}

// Has returns the "account HAS e" relationship for the session's account.
func Has(s *awsclient.Session, e graph.Entity) graph.Relationship {
	return graph.DirectByKey(Key(s.Partition, s.AccountID), Type, "HAS", e.Key(), e.Type(), nil)
}

// AliasLister is the one IAM call this step makes.
type AliasLister interface {
	ListAccountAliases(ctx context.Context, in *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
}

// NewEntity converts the account id and its alias (may be "") to the entity.
func NewEntity(partition, accountID, alias string) graph.Entity {
	name := accountID
	if alias != "" {
		name = alias
	}
	e := schema.Account.New(Key(partition, accountID), name)
	e.Set("accountId", accountID).Set("partition", partition).Set("vendor", "AWS").Set("alias", graph.NilIfEmpty(alias))
	e.Set("webLink", console.URL(partition, "/billing/home#/account"))
	e.Set("accessURL", signinURL(accountID, alias))
	return e
}

func signinURL(accountID, alias string) string {
	if alias != "" {
		return "https://" + alias + ".signin.aws.amazon.com/console"
	}
	return "https://" + accountID + ".signin.aws.amazon.com/console"
}

// Steps returns the account step.
func Steps(s *awsclient.Session) []engine.Step {
	return []engine.Step{engine.Declare(engine.Step{
		ID:          StepID,
		Name:        "Fetch AWS account",
		Permissions: []string{"iam:ListAccountAliases"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			alias := ""
			out, err := iam.NewFromConfig(s.Config).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
			if err != nil {
				// The account is known; its alias (and the name and sign-in
				// URL it gives) keep the last good run's values.
				sc.Unknown(err, engine.Unknown{Type: Type, Properties: []string{"alias", "name", "displayName", "accessURL"}})
			} else if len(out.AccountAliases) > 0 {
				alias = out.AccountAliases[0]
			}
			return sc.AddEntity(NewEntity(s.Partition, s.AccountID, alias))
		},
	})}
}
