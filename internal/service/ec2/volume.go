package ec2

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/awsclient"
	"github.com/awsgraph/awsgraph/internal/engine"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	"github.com/awsgraph/awsgraph/internal/service/account"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
	"github.com/awsgraph/awsgraph/internal/service/regional"
)

// VolumeDescriber is the one call the volume step makes.
type VolumeDescriber interface {
	DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
}

// FetchVolumes reads every EBS volume of the region with one paginated call.
func FetchVolumes(ctx context.Context, c VolumeDescriber) ([]types.Volume, error) {
	return awsclient.ReadAll(ctx, ec2.NewDescribeVolumesPaginator(c, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(maxResultsVolumes)}), func(o *ec2.DescribeVolumesOutput) []types.Volume { return o.Volumes })
}

type attachmentJSON struct {
	InstanceID          string `json:"instanceId"`
	Device              string `json:"device,omitempty"`
	State               string `json:"state,omitempty"`
	DeleteOnTermination *bool  `json:"deleteOnTermination,omitempty"`
	AttachTime          *int64 `json:"attachTime,omitempty"`
}

// NewVolumeEntity converts an EBS volume. classification is null: the
// collector does not know what data a disk holds.
func NewVolumeEntity(sc Scope, v types.Volume) graph.Entity {
	id := aws.ToString(v.VolumeId)
	key := aws.ToString(v.VolumeArn)
	if key == "" {
		key = sc.ARN(aws.ToString(v.OwnerId), "volume", id)
	}
	e := schema.Volume.New(key, id)
	var attachments, instanceIDs []string
	for _, a := range v.Attachments {
		j := attachmentJSON{InstanceID: aws.ToString(a.InstanceId), Device: aws.ToString(a.Device), State: string(a.State), DeleteOnTermination: a.DeleteOnTermination}
		if a.AttachTime != nil {
			ms := a.AttachTime.UnixMilli()
			j.AttachTime = &ms
		}
		b, _ := json.Marshal(j)
		attachments = append(attachments, string(b))
		instanceIDs = append(instanceIDs, j.InstanceID)
	}
	e.Set("volumeId", id).
		Set("size", v.Size).
		Set("volumeType", graph.NilIfEmpty(string(v.VolumeType))).
		Set("iops", v.Iops).
		Set("throughput", v.Throughput).
		Set("state", graph.NilIfEmpty(string(v.State))).
		Set("encrypted", v.Encrypted).
		Set("encryptionKeyRef", v.KmsKeyId).
		Set("kmsKeyId", v.KmsKeyId).
		Set("snapshotId", graph.NilIfEmpty(aws.ToString(v.SnapshotId))).
		Set("availabilityZone", v.AvailabilityZone).
		Set("multiAttachEnabled", v.MultiAttachEnabled).
		Set("createdOn", millis(v.CreateTime)).
		Set("classification", nil).
		Set("attachments", attachments).
		Set("attachedInstanceIds", instanceIDs).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.EC2Link("VolumeDetails:volumeId="+id))
	e.SetTags(tagMap(v.Tags))
	return e
}

// VolumeUses returns the "instance USES volume" relationships of a volume,
// for attachments whose instance is in instances (instance id → entity key).
// It also returns how many attachments named an instance not collected.
func VolumeUses(volume graph.Entity, v types.Volume, instances map[string]string) ([]graph.Relationship, int) {
	var out []graph.Relationship
	missing := 0
	for _, a := range v.Attachments {
		if a.State == types.VolumeAttachmentStateDetached {
			continue
		}
		ik, ok := instances[aws.ToString(a.InstanceId)]
		if !ok {
			missing++
			continue
		}
		out = append(out, graph.DirectByKey(ik, m.TypeInstance, "USES", volume.Key(), m.TypeVolume, map[string]any{
			"deviceName":          a.Device,
			"deleteOnTermination": a.DeleteOnTermination,
			"attachmentState":     string(a.State),
		}))
	}
	return out, missing
}

func volumeStep(s *awsclient.Session) engine.Step {
	return engine.Declare(engine.Step{
		ID:          m.StepVolumes,
		Name:        "Fetch EBS volumes",
		DependsOn:   []string{account.StepID, m.StepInstances},
		Permissions: []string{"ec2:DescribeVolumes"},
		Run: func(ctx context.Context, sc *engine.StepContext) error {
			res, err := collectRegions(ctx, s, sc, sc.Step.DeclaredTypes(), func(ctx context.Context, region string, c *ec2.Client) ([]types.Volume, error) {
				return FetchVolumes(ctx, c)
			})
			if err != nil {
				return err
			}
			all := keyIndex(sc.Job, m.TypeInstance, "instanceId")
			for _, r := range res {
				instances := map[string]string{}
				prefix := r.Region + "/"
				for k, v := range all {
					if len(k) > len(prefix) && k[:len(prefix)] == prefix {
						instances[k[len(prefix):]] = v
					}
				}
				for _, v := range r.Items {
					e := NewVolumeEntity(scopeOf(s, r.Region), v)
					if err := regional.AddOwned(sc, s, e); err != nil {
						return err
					}
					rels, missing := VolumeUses(e, v, instances)
					if missing > 0 {
						sc.Count("attachmentsToInstancesNotCollected", missing)
					}
					for _, rel := range rels {
						if err := sc.AddRelationship(rel); err != nil {
							return err
						}
					}
				}
			}
			return nil
		},
	})
}
