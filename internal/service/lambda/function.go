// Package lambda collects AWS Lambda functions (aws_lambda_function) in every
// collected region and relates each function to its execution role.
//
// Environment variable values are never put in the graph: only their names are
// kept (environmentVariableNames), because they routinely hold credentials.
package lambda

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	"github.com/awsgraph/awsgraph/internal/service/console"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

const (
	// FunctionType is the Lambda function entity type.
	FunctionType = schema.TypeFunction
	// StepID is the step that collects Lambda functions; steps that relate
	// other resources to functions (API Gateway TRIGGERS) depend on it.
	StepID = schema.StepLambdaFunctions
)

// FunctionsAPI is the Lambda client surface the function step uses. The SDK
// client satisfies it, and so does its ListFunctions paginator's client.
type FunctionsAPI interface {
	ListFunctions(ctx context.Context, in *awslambda.ListFunctionsInput, optFns ...func(*awslambda.Options)) (*awslambda.ListFunctionsOutput, error)
}

// TagsAPI is the Resource Groups Tagging API call that reads every function's
// tags of a region in bulk (ListFunctions does not return tags, and Lambda's
// own ListTags would be one call per function).
type TagsAPI interface {
	GetResources(ctx context.Context, in *tagging.GetResourcesInput, optFns ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error)
}

// ListFunctions reads every function of a region (unqualified, $LATEST
// configuration) through the paginated ListFunctions call.
func ListFunctions(ctx context.Context, c FunctionsAPI) ([]types.FunctionConfiguration, error) {
	p := awslambda.NewListFunctionsPaginator(c, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(50)})
	return awsclient.ReadAll(ctx, p, func(o *awslambda.ListFunctionsOutput) []types.FunctionConfiguration { return o.Functions })
}

// FunctionTags reads the tags of every Lambda function of a region with one
// paginated tag:GetResources call, keyed by function ARN. Functions without
// tags are absent from the answer (and from the map).
func FunctionTags(ctx context.Context, c TagsAPI) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	p := tagging.NewGetResourcesPaginator(c, &tagging.GetResourcesInput{
		ResourceTypeFilters: []string{"lambda:function"},
		ResourcesPerPage:    aws.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.ResourceTagMappingList {
			tags := make(map[string]string, len(m.Tags))
			for _, t := range m.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			out[aws.ToString(m.ResourceARN)] = tags
		}
	}
	return out, nil
}

// lastModifiedLayout is Lambda's LastModified format (ISO 8601 with a +0000 offset).
const lastModifiedLayout = "2006-01-02T15:04:05.000-0700"

// ParseLastModified converts Lambda's LastModified to ms since epoch.
func ParseLastModified(s string) (int64, bool) {
	for _, layout := range []string{lastModifiedLayout, time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// UnqualifiedARN strips a version or alias qualifier from a function ARN
// (arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier]) and
// returns the unqualified ARN and the qualifier ("" when none). ok is false
// when s is not a Lambda function ARN.
func UnqualifiedARN(s string) (arn, qualifier string, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return "", "", false
	}
	if parts[1] == "" || parts[3] == "" || parts[4] == "" || parts[6] == "" {
		return "", "", false
	}
	if len(parts) == 8 {
		if parts[7] == "" {
			return "", "", false
		}
		qualifier = parts[7]
	}
	return strings.Join(parts[:7], ":"), qualifier, true
}

// NewFunctionEntity converts one ListFunctions entry to the function entity.
// Environment variable values are dropped here: only the names are kept.
func NewFunctionEntity(partition, accountID, region string, fn types.FunctionConfiguration, tags map[string]string) graph.Entity {
	name := aws.ToString(fn.FunctionName)
	key := aws.ToString(fn.FunctionArn)
	if unq, _, ok := UnqualifiedARN(key); ok {
		key = unq
	}
	e := schema.Function.New(key, name)
	e.Set("arn", key).Set("functionName", name)
	e.Set("accountId", accountID).Set("region", region)
	e.Set("runtime", graph.NilIfEmpty(string(fn.Runtime)))
	e.Set("handler", fn.Handler)
	e.Set("memorySize", itoa(fn.MemorySize)) // a string in the data model's Function
	e.Set("timeout", fn.Timeout)
	e.Set("version", fn.Version)
	e.Set("packageType", graph.NilIfEmpty(string(fn.PackageType)))
	archs := make([]string, 0, len(fn.Architectures))
	for _, a := range fn.Architectures {
		archs = append(archs, string(a))
	}
	e.Set("architectures", archs)
	e.Set("lastModified", fn.LastModified)
	if ms, ok := ParseLastModified(aws.ToString(fn.LastModified)); ok {
		e.Set("updatedOn", ms)
	}
	e.Set("codeSize", strconv.FormatInt(fn.CodeSize, 10)) // a string in the data model's Function
	e.Set("codeSha256", fn.CodeSha256)
	e.Set("description", graph.NilIfEmpty(aws.ToString(fn.Description)))
	e.Set("role", fn.Role)
	e.Set("kmsKeyArn", fn.KMSKeyArn)
	if fn.TracingConfig != nil {
		e.Set("tracingMode", graph.NilIfEmpty(string(fn.TracingConfig.Mode)))
	} else {
		e.Set("tracingMode", nil)
	}
	e.Set("state", graph.NilIfEmpty(string(fn.State)))
	e.SetIfPresent("stateReason", fn.StateReason)
	e.SetIfPresent("lastUpdateStatus", graph.NilIfEmpty(string(fn.LastUpdateStatus)))
	if fn.DeadLetterConfig != nil {
		e.SetIfPresent("deadLetterTargetArn", fn.DeadLetterConfig.TargetArn)
	}
	if fn.EphemeralStorage != nil {
		e.SetIfPresent("ephemeralStorageSize", fn.EphemeralStorage.Size)
	}

	// VPC attachment: a function with no VPC has an empty or absent VpcConfig.
	var vpcID any
	subnets, groups := []string{}, []string{}
	if v := fn.VpcConfig; v != nil {
		if id := aws.ToString(v.VpcId); id != "" {
			vpcID = id
		}
		subnets = append(subnets, v.SubnetIds...)
		groups = append(groups, v.SecurityGroupIds...)
	}
	e.Set("vpcId", vpcID).Set("subnetIds", subnets).Set("securityGroupIds", groups)

	layers := make([]string, 0, len(fn.Layers))
	for _, l := range fn.Layers {
		if a := aws.ToString(l.Arn); a != "" {
			layers = append(layers, a)
		}
	}
	e.Set("layers", layers)

	e.Set("environmentVariableNames", EnvironmentVariableNames(fn.Environment))

	e.Set("webLink", fmt.Sprintf("https://%s/lambda/home?region=%s#/functions/%s", console.Host(partition), region, url.PathEscape(name)))
	e.SetTags(tags)
	return e
}

// EnvironmentVariableNames returns the sorted names of a function's
// environment variables. The values are never read.
func EnvironmentVariableNames(env *types.EnvironmentResponse) []string {
	names := []string{}
	if env == nil {
		return names
	}
	for k := range env.Variables {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// FunctionStep collects the functions of every collected region.
func FunctionStep(s *awsclient.Session, client func(region string) FunctionsAPI, tagsClient func(region string) TagsAPI) engine.Step {
	return engine.Declare(engine.Step{
		ID:          StepID,
		Name:        "Fetch Lambda functions",
		DependsOn:   []string{account.StepID},
		Permissions: []string{"lambda:ListFunctions", "tag:GetResources"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := regional.Collect(ctx, s, sc, nil, func(ctx context.Context, region string) ([]graph.Entity, error) {
				c := client(region)
				fns, err := ListFunctions(ctx, c)
				if err != nil {
					return nil, err
				}
				var tags map[string]map[string]string
				if len(fns) > 0 {
					var tagErr error
					tags, tagErr = FunctionTags(ctx, tagsClient(region))
					if tagErr != nil {
						// The functions are all known; only their tags (and the
						// display name a Name tag gives) are not: those keep the
						// last good run's values.
						sc.Unknown(&awsclient.RegionError{Region: region, Err: tagErr},
							engine.Unknown{Type: FunctionType, Region: region, Properties: []string{"tag.*", "displayName"}})
						sc.Count("functionsWithoutTags", len(fns))
					}
				}
				ents := make([]graph.Entity, 0, len(fns))
				for _, fn := range fns {
					ents = append(ents, NewFunctionEntity(s.Partition, s.AccountID, region, fn, tags[aws.ToString(fn.FunctionArn)]))
				}
				return ents, nil
			})
			if err != nil {
				return fmt.Errorf("lambda functions not read in any region: %w", err)
			}
			for _, r := range res {
				if err := regional.AddOwned(sc, s, r.Items...); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// Steps returns the Lambda steps: functions, then function → execution role.
func Steps(s *awsclient.Session) []engine.Step {
	client := func(region string) FunctionsAPI { return awslambda.NewFromConfig(s.In(region)) }
	tagsClient := func(region string) TagsAPI { return tagging.NewFromConfig(s.In(region)) }
	return []engine.Step{FunctionStep(s, client, tagsClient), RoleStep(s)}
}

// itoa is a number as a string, or nil.
func itoa(n *int32) any {
	if n == nil {
		return nil
	}
	return strconv.FormatInt(int64(*n), 10)
}
