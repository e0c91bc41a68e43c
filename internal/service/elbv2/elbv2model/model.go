// Package elbv2model is the contract between the ELBv2 collection step and
// the analyses that read it: type names, the step id, the properties the
// reachability analysis relies on and the JSON shape of a registered target.
// It has no AWS SDK dependency.
package elbv2model

import (
	"encoding/json"

	"github.com/awsgraph/awsgraph/internal/schema"
)

// Entity types (JupiterOne's names).
const (
	TypeALB         = schema.TypeALB
	TypeNLB         = schema.TypeNLB
	TypeListener    = schema.TypeListener
	TypeTargetGroup = schema.TypeTargetGroup
	// TypeHost is the mapped target of an IP target (a Host by address).
	TypeHost = schema.TypeHostPeer
)

// StepID is the ELBv2 collection step.
const StepID = schema.StepELBv2

// Relationship types.
var (
	RelALBHasListener        = schema.ALBHasListener.Type
	RelNLBHasListener        = schema.NLBHasListener.Type
	RelListenerConnectsGroup = schema.ListenerConnectsGroup.Type
)

// Properties the analysis reads.
const (
	PropARN              = "arn"
	PropScheme           = "scheme"           // load balancer: internet-facing or internal
	PropLBType           = "loadBalancerType" // application or network
	PropSubnetIDs        = "subnetIds"        // load balancer
	PropSecurityGroupIDs = "securityGroupIds" // load balancer (ALB; an NLB may have none)
	PropLoadBalancerArn  = "loadBalancerArn"  // listener
	PropPort             = "port"             // listener, target group
	PropProtocol         = "protocol"         // listener, target group
	PropTargetGroupArns  = "targetGroupArns"  // listener: every group a default or rule action forwards to
	PropTargetType       = "targetType"       // target group: instance, ip, lambda, alb
	PropTargets          = "targets"          // target group: []string of JSON Target
	PropPreserveClientIP = "preserveClientIp" // NLB target group: preserve_client_ip.enabled
)

// Target is one registered target as stored on its group (JSON, one string
// per target), from DescribeTargetHealth.
type Target struct {
	ID               string `json:"id"`
	Port             *int32 `json:"port,omitempty"`
	AvailabilityZone string `json:"availabilityZone,omitempty"`
	State            string `json:"state,omitempty"`
}

// Encode returns the stored form.
func (t Target) Encode() string {
	b, err := json.Marshal(t)
	if err != nil { // cannot happen: plain strings and numbers
		panic(err)
	}
	return string(b)
}

// DecodeTarget parses one stored target.
func DecodeTarget(s string) (Target, error) {
	var t Target
	err := json.Unmarshal([]byte(s), &t)
	return t, err
}

// Classic load balancers (elasticloadbalancing 2012-06-01).
const (
	TypeClassicELB  = schema.TypeClassicELB
	StepClassicELB  = schema.StepClassicELB
	PropListeners   = "listeners"   // classic load balancer: []string of JSON ClassicListener
	PropInstanceIDs = "instanceIds" // classic load balancer: the registered instances
)

// ClassicListener is one listener of a Classic load balancer as stored
// (JSON, one string per listener): it forwards LoadBalancerPort to every
// registered instance's InstancePort.
type ClassicListener struct {
	Protocol         string `json:"protocol"`
	LoadBalancerPort int32  `json:"loadBalancerPort"`
	InstanceProtocol string `json:"instanceProtocol,omitempty"`
	InstancePort     int32  `json:"instancePort"`
}

// Encode returns the stored form.
func (l ClassicListener) Encode() string {
	b, _ := json.Marshal(l) // plain strings and numbers: cannot fail
	return string(b)
}

// DecodeClassicListener reads a stored listener.
func DecodeClassicListener(s string) (ClassicListener, error) {
	var l ClassicListener
	err := json.Unmarshal([]byte(s), &l)
	return l, err
}
