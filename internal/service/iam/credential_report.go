package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/schema"
)

// CredentialReporter is the two credential-report calls: one CSV for every
// user of the account, so MFA, password and access-key metadata cost a
// constant number of calls.
type CredentialReporter interface {
	GenerateCredentialReport(ctx context.Context, in *iam.GenerateCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(ctx context.Context, in *iam.GetCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
}

// ReportWait bounds the wait for the credential report: AWS generates it
// asynchronously (GenerateCredentialReport answers STARTED/INPROGRESS until
// it is COMPLETE).
type ReportWait struct {
	First time.Duration // first delay between polls
	Max   time.Duration // largest delay between polls
	Total time.Duration // give up after this long
}

var defaultReportWait = ReportWait{First: 200 * time.Millisecond, Max: 5 * time.Second, Total: 2 * time.Minute}

// GetReport generates (or reuses, when AWS holds one younger than 4 hours) the
// credential report and returns its CSV, polling with bounded backoff.
func GetReport(ctx context.Context, c CredentialReporter, w ReportWait) ([]byte, error) {
	deadline := time.Now().Add(w.Total)
	delay := w.First
	for {
		gen, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, err
		}
		if gen.State == types.ReportStateTypeComplete {
			out, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
			if err == nil {
				return out.Content, nil
			}
			switch awsclient.ErrorCode(err) {
			case "ReportInProgress", "ReportNotPresent", "ReportExpired":
				// Generated but not yet (or no longer) served: poll again.
			default:
				return nil, err
			}
		}
		if time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("credential report not COMPLETE after %s (last state %s)", w.Total, gen.State)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, w.Max)
	}
}

// CredentialRow is one credential-report row (one user, or the root user).
type CredentialRow map[string]string

// ParseCredentialReport reads the report CSV into rows keyed by column name
// (columns are looked up by name, not position).
func ParseCredentialReport(content []byte) ([]CredentialRow, error) {
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("credential report: %w", err)
	}
	var rows []CredentialRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, fmt.Errorf("credential report: %w", err)
		}
		row := CredentialRow{}
		for i, h := range header {
			if i < len(rec) {
				row[strings.TrimSpace(h)] = rec[i]
			}
		}
		rows = append(rows, row)
	}
}

// rootUser is how the report names the account's root user.
const rootUser = "<root_account>"

// reportBool is a report boolean; "N/A", "not_supported" and the like are null.
func reportBool(v string) any {
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	}
	return nil
}

// reportTime is a report timestamp in ms; "N/A", "no_information",
// "not_supported" are null.
func reportTime(v string) any {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil
	}
	return t.UnixMilli()
}

// reportString is a report string; the report's "no value" markers are null.
func reportString(v string) any {
	switch v {
	case "", "N/A", "not_supported", "no_information":
		return nil
	}
	return v
}

// UserReportProperties are the user properties a report row gives.
func UserReportProperties(row CredentialRow) map[string]any {
	p := map[string]any{
		"passwordEnabled":     reportBool(row["password_enabled"]),
		"passwordLastUsed":    reportTime(row["password_last_used"]),
		"passwordLastChanged": reportTime(row["password_last_changed"]),
		"isMfaEnabled":        reportBool(row["mfa_active"]), // data model: User.mfaEnabled is deprecated
	}
	for _, n := range []string{"1", "2"} {
		pre := "access_key_" + n + "_"
		out := "accessKey" + n
		p[out+"Active"] = reportBool(row[pre+"active"])
		p[out+"LastRotatedOn"] = reportTime(row[pre+"last_rotated"])
		p[out+"LastUsedOn"] = reportTime(row[pre+"last_used_date"])
		p[out+"LastUsedRegion"] = reportString(row[pre+"last_used_region"])
		p[out+"LastUsedService"] = reportString(row[pre+"last_used_service"])
	}
	return p
}

// RootReportProperties are the account properties the root user's row gives
// (the JupiterOne aws_account properties mfaEnabled and rootUserAccessKeyEnabled).
func RootReportProperties(row CredentialRow) map[string]any {
	var keys any
	a1, a2 := reportBool(row["access_key_1_active"]), reportBool(row["access_key_2_active"])
	if a1 != nil || a2 != nil {
		keys = a1 == true || a2 == true
	}
	return map[string]any{
		"mfaEnabled":               reportBool(row["mfa_active"]),
		"rootUserAccessKeyEnabled": keys,
		"rootUserPasswordLastUsed": reportTime(row["password_last_used"]),
	}
}

// ReportPropertyDecls are the properties the credential report sets on the
// users and on the account (its root user).
func ReportPropertyDecls() []engine.PropertyDecl {
	return engine.Derives(CredentialReportStepID, schema.DerivedOn(CredentialReportStepID)...)
}

// reportUnknown records the credential-report properties as unknown.
func reportUnknown(sc *engine.StepContext, err error) {
	var us []engine.Unknown
	for _, d := range ReportPropertyDecls() {
		us = append(us, engine.Unknown{Type: d.Type, Properties: d.Properties})
	}
	sc.Unknown(err, us...)
}

func fetchCredentialReport(ctx context.Context, sc *engine.StepContext, acct Account, c CredentialReporter, w ReportWait) error {
	content, err := GetReport(ctx, c, w)
	if err != nil {
		// The users are collected; what is missing is their MFA, password and
		// access-key metadata: the last good run's values are kept.
		reportUnknown(sc, err)
		return nil
	}
	rows, err := ParseCredentialReport(content)
	if err != nil {
		reportUnknown(sc, err)
		return nil
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if row["user"] == rootUser {
			props := RootReportProperties(row)
			sc.Job.SetProperties(acct.key(), props)
			continue
		}
		arn := row["arn"]
		props := UserReportProperties(row)
		if sc.Job.SetProperties(arn, props) {
			seen[arn] = true
		} else {
			sc.Count("reportUsersNotInGraph", 1)
		}
	}
	missing := 0
	for _, u := range sc.Job.EntitiesOfType(UserType) {
		if !seen[u.Key()] {
			missing++
		}
	}
	if missing > 0 {
		sc.Count("usersMissingFromReport", missing)
		sc.Warn(fmt.Sprintf("%d IAM users are not in the credential report (created after it was generated?); their isMfaEnabled and password properties are unset", missing))
	}
	sc.Count("reportRows", len(rows))
	return nil
}
