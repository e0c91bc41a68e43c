package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
)

func TestUnqualifiedARN(t *testing.T) {
	tests := []struct {
		in, arn, qualifier string
		ok                 bool
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:fn", "arn:aws:lambda:us-east-1:123456789012:function:fn", "", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:prod", "arn:aws:lambda:us-east-1:123456789012:function:fn", "prod", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:7", "arn:aws:lambda:us-east-1:123456789012:function:fn", "7", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:fn", "$LATEST", true},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:fn", "arn:aws-cn:lambda:cn-north-1:123456789012:function:fn", "", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:", "", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:layer:l:1", "", "", false},
		{"arn:aws:iam::123456789012:role/r", "", "", false},
		{"fn", "", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:prod:extra", "", "", false},
	}
	for _, tt := range tests {
		arn, q, ok := UnqualifiedARN(tt.in)
		if arn != tt.arn || q != tt.qualifier || ok != tt.ok {
			t.Errorf("UnqualifiedARN(%q) = %q, %q, %v; want %q, %q, %v", tt.in, arn, q, ok, tt.arn, tt.qualifier, tt.ok)
		}
	}
}

func TestParseLastModified(t *testing.T) {
	tests := []struct {
		in   string
		ms   int64
		isOK bool
	}{
		{"2024-03-01T12:00:00.000+0000", 1709294400000, true},
		{"2024-03-01T13:00:00.000+0100", 1709294400000, true},
		{"2024-03-01T12:00:00Z", 1709294400000, true},
		{"", 0, false},
		{"yesterday", 0, false},
	}
	for _, tt := range tests {
		ms, ok := ParseLastModified(tt.in)
		if ms != tt.ms || ok != tt.isOK {
			t.Errorf("ParseLastModified(%q) = %d, %v; want %d, %v", tt.in, ms, ok, tt.ms, tt.isOK)
		}
	}
}

const secretValue = "sup3r-s3cret-v4lue-do-not-store"

// absent in a check: the property must be omitted (docs/contract.md §2: a
// property AWS gives no value for is not written as null).
type absentT struct{}

var absent any = absentT{}

func TestNewFunctionEntity(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
	tests := []struct {
		name  string
		fn    types.FunctionConfiguration
		tags  map[string]string
		check map[string]any
	}{
		{
			name: "full",
			fn: types.FunctionConfiguration{
				FunctionArn: aws.String(arn), FunctionName: aws.String("orders"),
				Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
				MemorySize: aws.Int32(256), Timeout: aws.Int32(30), Version: aws.String("$LATEST"),
				PackageType: types.PackageTypeZip, Architectures: []types.Architecture{types.ArchitectureArm64},
				LastModified: aws.String("2024-03-01T12:00:00.000+0000"), CodeSize: 1234, CodeSha256: aws.String("abc="),
				Description: aws.String("orders api"), Role: aws.String("arn:aws:iam::123456789012:role/service-role/orders"),
				VpcConfig: &types.VpcConfigResponse{VpcId: aws.String("vpc-1"), SubnetIds: []string{"subnet-1", "subnet-2"}, SecurityGroupIds: []string{"sg-1"}},
				Layers:    []types.Layer{{Arn: aws.String("arn:aws:lambda:eu-west-1:123456789012:layer:deps:3")}},
				Environment: &types.EnvironmentResponse{Variables: map[string]string{
					"DB_PASSWORD": secretValue, "API_KEY": secretValue,
				}},
				KMSKeyArn: aws.String("arn:aws:kms:eu-west-1:123456789012:key/k"), TracingConfig: &types.TracingConfigResponse{Mode: types.TracingModeActive},
				State: types.StateActive,
			},
			tags: map[string]string{"Name": "Orders", "team": "payments"},
			check: map[string]any{
				"_key": arn, "_type": "aws_lambda_function", "name": "orders", "displayName": "Orders",
				"accountId": "123456789012", "region": "eu-west-1", "runtime": "python3.12", "handler": "app.handler",
				"memorySize": "256", "timeout": int64(30), "version": "$LATEST", "packageType": "Zip",
				"architectures": []string{"arm64"}, "updatedOn": int64(1709294400000), "codeSize": "1234",
				"codeSha256": "abc=", "description": "orders api", "role": "arn:aws:iam::123456789012:role/service-role/orders",
				"vpcId": "vpc-1", "subnetIds": []string{"subnet-1", "subnet-2"}, "securityGroupIds": []string{"sg-1"},
				"layers":                   []string{"arn:aws:lambda:eu-west-1:123456789012:layer:deps:3"},
				"environmentVariableNames": []string{"API_KEY", "DB_PASSWORD"},
				"kmsKeyArn":                "arn:aws:kms:eu-west-1:123456789012:key/k", "tracingMode": "Active", "state": "Active",
				"tag.team": "payments", "tag.Name": "Orders",
				"webLink": "https://console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/orders",
			},
		},
		{
			name: "minimal: no VPC, no env, no tracing, qualified ARN in input",
			fn: types.FunctionConfiguration{
				FunctionArn: aws.String(arn + ":$LATEST"), FunctionName: aws.String("orders"), PackageType: types.PackageTypeImage,
			},
			check: map[string]any{
				"_key": arn, "runtime": absent, "handler": absent, "vpcId": absent, "subnetIds": []string{}, "securityGroupIds": []string{},
				"environmentVariableNames": []string{}, "layers": []string{}, "kmsKeyArn": absent, "tracingMode": absent,
				"description": absent, "displayName": "orders", "packageType": "Image", "memorySize": absent, "codeSize": "0",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewFunctionEntity("aws", "123456789012", "eu-west-1", tt.fn, tt.tags)
			if err := schema.Validate(e); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.Classes(), []string{"Function", "Workload"}) {
				t.Errorf("classes %v", e.Classes())
			}
			for k, want := range tt.check {
				got, present := e[k]
				if want == absent {
					if present {
						t.Errorf("%s = %#v, want it omitted", k, got)
					}
					continue
				}
				if !present {
					t.Errorf("%s missing", k)
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
			b, _ := json.Marshal(e)
			if strings.Contains(string(b), secretValue) {
				t.Fatalf("environment variable value leaked into the entity: %s", b)
			}
		})
	}
}

func TestRoleRelationship(t *testing.T) {
	fn := schema.Function.New("arn:aws:lambda:us-east-1:111111111111:function:f", "f")
	tests := []struct {
		name     string
		role     string
		inGraph  bool
		ok       bool
		mapped   bool
		skip     bool
		roleName string
	}{
		{"in graph: direct", "arn:aws:iam::111111111111:role/service-role/exec", true, true, false, false, ""},
		{"same account, not in graph: mapped, never invented", "arn:aws:iam::111111111111:role/deleted", false, true, true, true, "deleted"},
		{"other account: mapped placeholder allowed", "arn:aws:iam::222222222222:role/path/x/shared", false, true, true, false, "shared"},
		{"not a role ARN", "arn:aws:iam::111111111111:user/u", false, false, false, false, ""},
		{"garbage", "exec", false, false, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := RoleRelationship(fn, tt.role, tt.inGraph, "111111111111")
			if ok != tt.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if r.Type() != "aws_lambda_function_assigned_iam_role" || r.Class() != "ASSIGNED" {
				t.Errorf("type %s class %s", r.Type(), r.Class())
			}
			m := r.Mapping()
			if (m != nil) != tt.mapped {
				t.Fatalf("mapped = %v", m != nil)
			}
			if !tt.mapped {
				if r.FromKey() != fn.Key() || r.ToKey() != tt.role || r.Key() != fn.Key()+"|assigned|"+tt.role {
					t.Errorf("direct edge %v", r)
				}
				return
			}
			if m.SkipTargetCreation != tt.skip || m.SourceEntityKey != fn.Key() || m.RelationshipDirection != graph.Forward {
				t.Errorf("mapping %+v", m)
			}
			if !reflect.DeepEqual(m.TargetFilterKeys, [][]string{{"_type", "_key"}}) || m.TargetEntity["_key"] != tt.role ||
				m.TargetEntity["_type"] != "aws_iam_role" || m.TargetEntity["name"] != tt.roleName {
				t.Errorf("target %+v %v", m.TargetEntity, m.TargetFilterKeys)
			}
		})
	}
}

// pagingFunctions serves ListFunctions in pages of one, which moto cannot do
// (it ignores MaxItems), to check the step follows NextMarker.
type pagingFunctions struct {
	names []string
	calls int
}

func (p *pagingFunctions) ListFunctions(_ context.Context, in *awslambda.ListFunctionsInput, _ ...func(*awslambda.Options)) (*awslambda.ListFunctionsOutput, error) {
	p.calls++
	i := 0
	if in.Marker != nil {
		fmt.Sscanf(*in.Marker, "%d", &i)
	}
	out := &awslambda.ListFunctionsOutput{Functions: []types.FunctionConfiguration{{FunctionName: aws.String(p.names[i])}}}
	if i+1 < len(p.names) {
		out.NextMarker = aws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func TestListFunctionsFollowsNextMarker(t *testing.T) {
	c := &pagingFunctions{names: []string{"a", "b", "c"}}
	fns, err := ListFunctions(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != 3 || c.calls != 3 || aws.ToString(fns[2].FunctionName) != "c" {
		t.Fatalf("got %d functions in %d calls", len(fns), c.calls)
	}
}
