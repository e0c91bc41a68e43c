package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsgraph/awsgraph/internal/analysis/reachability"
	"github.com/awsgraph/awsgraph/internal/graph"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	lm "github.com/awsgraph/awsgraph/internal/service/elbv2/elbv2model"
	"github.com/awsgraph/awsgraph/internal/service/lambda"
)

// explainTypes are the entity types the reachability analysis reads.
var explainTypes = []string{m.TypeInstance, lambda.FunctionType, m.TypeVPC, m.TypeSubnet, m.TypeSecurityGroup, m.TypePrefixList,
	m.TypeRouteTable, m.TypeNetworkACL, m.TypeInternetGateway, lm.TypeALB, lm.TypeNLB, lm.TypeListener, lm.TypeTargetGroup,
	m.TypeNetworkInterface, m.TypeElasticIP, lm.TypeClassicELB}

func newExplainReachability(stdout io.Writer) *cobra.Command {
	var db, dsn string
	cmd := &cobra.Command{
		Use:   "explain-reachability INSTANCE-ID|ENI-ID|ARN",
		Short: "Explain, hop by hop, why an instance (or network interface, or Lambda function) is or is not reachable from the Internet",
		Long: `Reads the graph store (no AWS call) and replays the reachability analysis for one
instance, network interface or function: for each of its interfaces and address families
(public IPv4, Elastic IP, IPv6) and each load balancer in front of it (ALB, NLB, Classic
ELB), the route table and gateway, the security-group rule ids, the network ACL rule
numbers (the target subnet's on the load-balancer path) and the listeners, then the verdict.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), dsn, db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			byType, err := loadEntities(cmd, st)
			if err != nil {
				return err
			}
			target, err := findExplained(byType, args[0])
			if err != nil {
				return err
			}
			res := reachability.Analyze(reachability.InputFrom(func(t string) []graph.Entity { return byType[t] }))
			v := res.Verdicts[target.Key()]
			fmt.Fprintf(stdout, "%s (%s)\n", target.Key(), target.String("displayName"))
			for _, h := range v.Hops {
				fmt.Fprintln(stdout, "  "+h)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "awsgraph.db", "SQLite graph store (ignored with --postgres-dsn)")
	cmd.Flags().StringVar(&dsn, "postgres-dsn", "", postgresDSNHelp)
	return cmd
}

func loadEntities(cmd *cobra.Command, st store) (map[string][]graph.Entity, error) {
	quoted := make([]string, len(explainTypes))
	for i, t := range explainTypes {
		quoted[i] = "'" + t + "'"
	}
	rows, err := st.Query(cmd.Context(), "SELECT json FROM entities WHERE type IN ("+strings.Join(quoted, ",")+") ORDER BY key")
	if err != nil {
		return nil, &exitError{exitFailed, err}
	}
	out := map[string][]graph.Entity{}
	for i, r := range rows {
		if i == 0 {
			continue // the column names
		}
		var e graph.Entity
		if err := json.Unmarshal([]byte(r[0]), &e); err != nil {
			return nil, &exitError{exitFailed, fmt.Errorf("stored entity is not JSON: %w", err)}
		}
		out[e.Type()] = append(out[e.Type()], e)
	}
	return out, nil
}

// findExplained finds the instance or network interface (by id or ARN) or function (by ARN or name).
func findExplained(byType map[string][]graph.Entity, ref string) (graph.Entity, error) {
	var hits []graph.Entity
	for _, e := range byType[m.TypeInstance] {
		if e.Key() == ref || e.String("instanceId") == ref {
			hits = append(hits, e)
		}
	}
	for _, e := range byType[m.TypeNetworkInterface] {
		if e.Key() == ref || e.String(m.PropNetworkInterfaceID) == ref {
			hits = append(hits, e)
		}
	}
	for _, e := range byType[lambda.FunctionType] {
		if e.Key() == ref || e.String("functionName") == ref {
			hits = append(hits, e)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return nil, &exitError{exitConfig, fmt.Errorf("no instance or Lambda function %q in the store (give an instance id such as i-0abc, an instance ARN, or a function ARN or name)", ref)}
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.Key()
	}
	sort.Strings(keys)
	return nil, &exitError{exitConfig, fmt.Errorf("%q names %d resources (%s): give the ARN", ref, len(hits), strings.Join(keys, ", "))}
}
