package iam

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// reportSequence is an in-memory CredentialReporter for the polling logic:
// moto answers STARTED then COMPLETE and is never slow, so the in-progress
// and time-out branches need scripted answers.
type reportSequence struct {
	states  []types.ReportStateType // one per GenerateCredentialReport call; the last repeats
	getErrs []error                 // one per GetCredentialReport call; then success
	gens    int
	gets    int
}

func (r *reportSequence) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	s := r.states[min(r.gens, len(r.states)-1)]
	r.gens++
	return &iam.GenerateCredentialReportOutput{State: s}, nil
}

func (r *reportSequence) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	r.gets++
	if r.gets <= len(r.getErrs) {
		return nil, r.getErrs[r.gets-1]
	}
	return &iam.GetCredentialReportOutput{Content: []byte("user,arn\n")}, nil
}

func TestGetReportPolling(t *testing.T) {
	fast := ReportWait{First: time.Millisecond, Max: 2 * time.Millisecond, Total: 200 * time.Millisecond}
	inProgress := &smithy.GenericAPIError{Code: "ReportInProgress"}
	cases := []struct {
		name     string
		seq      *reportSequence
		wantErr  string
		wantGens int
		wantGets int
		wait     ReportWait
	}{
		{"complete at once", &reportSequence{states: []types.ReportStateType{"COMPLETE"}}, "", 1, 1, fast},
		{"started, in progress, complete", &reportSequence{states: []types.ReportStateType{"STARTED", "INPROGRESS", "COMPLETE"}}, "", 3, 1, fast},
		{"complete but get says in progress once", &reportSequence{states: []types.ReportStateType{"COMPLETE"}, getErrs: []error{inProgress}}, "", 2, 2, fast},
		{"other get error is returned", &reportSequence{states: []types.ReportStateType{"COMPLETE"}, getErrs: []error{&smithy.GenericAPIError{Code: "AccessDenied"}}}, "AccessDenied", 1, 1, fast},
		{"never completes: bounded", &reportSequence{states: []types.ReportStateType{"STARTED"}}, "not COMPLETE", -1, 0, ReportWait{First: 5 * time.Millisecond, Max: 5 * time.Millisecond, Total: 30 * time.Millisecond}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := GetReport(context.Background(), c.seq, c.wait)
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err %v want %q", err, c.wantErr)
			}
			if c.wantGens >= 0 && c.seq.gens != c.wantGens || c.seq.gets != c.wantGets {
				t.Fatalf("generate %d get %d", c.seq.gens, c.seq.gets)
			}
			if time.Since(start) > c.wait.Total+time.Second {
				t.Fatalf("waited %s", time.Since(start))
			}
		})
	}
	var apiErr smithy.APIError
	_, err := GetReport(context.Background(), &reportSequence{states: []types.ReportStateType{"COMPLETE"}, getErrs: []error{&smithy.GenericAPIError{Code: "AccessDenied"}}}, fast)
	if !errors.As(err, &apiErr) {
		t.Fatalf("AWS error not kept: %v", err)
	}
}
