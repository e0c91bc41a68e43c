// Package sgrules is the security-group rule analysis: a step
// (analyze-ec2-security-group-rules) that reads the EC2 part of the graph —
// never AWS — and adds one ALLOWS relationship per rule and peer (ingress:
// peer → group, egress: group → peer; the Internet, a collected VPC, subnet
// or group, or a mapped Network, Host or foreign/peered group), plus the
// Internet-exposure properties of groups (allowsInternetIngress,
// internetIngressPorts) and instances (internetOpenPorts, internetExposed).
// internetReachable and internetReachablePorts, used below, are set by the
// reachability analysis (internal/analysis/reachability).
//
// Port lists are strings such as "tcp:22", "tcp:80-443", "udp:*", "icmp:8",
// "icmp:3/4", "50:*" or "*" (all traffic); see MergePorts.
//
// Which hosts have SSH open to the world? Against the SQLite store:
//
//	SELECT e.key FROM entities e
//	WHERE e.type = 'aws_ec2_instance'
//	  AND json_extract(e.json, '$.internetReachable') = 1
//	  AND EXISTS (SELECT 1 FROM json_each(e.json, '$.internetOpenPorts') p
//	    WHERE p.value IN ('*', 'tcp:*', 'tcp:22')
//	       OR (p.value LIKE 'tcp:%-%'
//	           AND CAST(substr(p.value, 5, instr(p.value, '-') - 5) AS INTEGER) <= 22
//	           AND CAST(substr(p.value, instr(p.value, '-') + 1) AS INTEGER) >= 22));
//
// README.md in this folder has this query, an equivalent one over the rule
// edges, and the full list of properties; the end-to-end test runs both
// queries against a SQLite database holding the collected graph.
package sgrules
