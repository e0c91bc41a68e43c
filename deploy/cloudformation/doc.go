// Package cloudformation holds the CloudFormation template of the read-only
// role awsgraph assumes (awsgraph-role.json) and the tests that keep it in
// step with what the collector calls.
package cloudformation
