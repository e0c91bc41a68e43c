package jupiterone

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/awsgraph/awsgraph/internal/sink/j1files"
)

// Graph is a run's graph files as read: each object kept as the exact bytes
// of the file (json.RawMessage), so an upload sends it unchanged.
type Graph struct {
	Entities      []json.RawMessage
	Relationships []json.RawMessage
	// PartialTypes is summary.json's metadata.partialDatasets.types: the
	// types finalize must not delete objects of.
	PartialTypes []string
	// IntegrationInstanceID is summary.json's integrationInstanceId.
	IntegrationInstanceID string
}

// ReadGraph reads dir/graph/**/*.json ({"entities": [...]} and
// {"relationships": [...]}) and dir/summary.json, the layout `awsgraph
// collect` and the JupiterOne SDK write. summary.json is required: without
// its partial types a finalize would delete what a partial run did not see.
// Every object must be a JSON object with a string _key.
func ReadGraph(dir string) (*Graph, error) {
	g := &Graph{}
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the run summary: %w (is %s the output directory of a collect?)", err, dir)
	}
	var sum struct {
		IntegrationInstanceID string `json:"integrationInstanceId"`
		Metadata              struct {
			PartialDatasets struct {
				Types []string `json:"types"`
			} `json:"partialDatasets"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "summary.json"), err)
	}
	g.IntegrationInstanceID = sum.IntegrationInstanceID
	g.PartialTypes = sum.Metadata.PartialDatasets.Types
	if g.PartialTypes == nil {
		g.PartialTypes = []string{}
	}

	err = j1files.EachFile(dir, func(path string, entities, relationships []json.RawMessage) error {
		for i, o := range entities {
			if err := checkObject(o); err != nil {
				return fmt.Errorf("%s: entity %d: %w", path, i, err)
			}
		}
		for i, o := range relationships {
			if err := checkObject(o); err != nil {
				return fmt.Errorf("%s: relationship %d: %w", path, i, err)
			}
		}
		g.Entities = append(g.Entities, entities...)
		g.Relationships = append(g.Relationships, relationships...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// checkObject refuses what the API would refuse anyway, before a job is
// opened: a value that is not an object, or one without a string _key.
func checkObject(raw json.RawMessage) error {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	var k struct {
		Key *string `json:"_key"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return err
	}
	if k.Key == nil || *k.Key == "" {
		return errors.New("no _key")
	}
	return nil
}
