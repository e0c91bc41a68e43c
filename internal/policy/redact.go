package policy

import (
	"encoding/json"
	"strings"
)

// RedactedValue replaces every secret condition value in a stored document.
const RedactedValue = "REDACTED"

// secretConditionKeys are condition keys whose values are secrets: the
// external id a trust policy requires is the integration's shared secret.
var secretConditionKeys = []string{"sts:externalid"}

// UnparsableSecretDocument replaces a document that names a secret condition key but
// is not JSON: its values cannot be found, so none of it is kept.
const UnparsableSecretDocument = `{"Redacted":"this document names sts:ExternalId and is not valid JSON; it is not stored"}`

// RedactSecrets returns the document text with the values of secret
// condition keys (sts:ExternalId) replaced by RedactedValue, keeping the
// rest verbatim: the condition is still there, so analyses still see an
// undecidable condition. A document without them is returned unchanged.
func RedactSecrets(doc string) string {
	lower := strings.ToLower(doc)
	named := false
	for _, k := range secretConditionKeys {
		named = named || strings.Contains(lower, k)
	}
	if !named {
		return doc
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return UnparsableSecretDocument
	}
	var secrets []string
	collectSecrets(v, &secrets)
	for _, s := range secrets {
		quoted, _ := json.Marshal(s)
		doc = strings.ReplaceAll(doc, string(quoted), `"`+RedactedValue+`"`)
	}
	return doc
}

// collectSecrets walks any JSON value for Condition blocks and gathers the
// values of secret keys (strings, or lists of strings) in them.
func collectSecrets(v any, out *[]string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectSecrets(e, out)
		}
	case map[string]any:
		for k, e := range x {
			if strings.EqualFold(k, "Condition") {
				conditionSecrets(e, out)
				continue
			}
			collectSecrets(e, out)
		}
	}
}

func conditionSecrets(cond any, out *[]string) {
	ops, _ := cond.(map[string]any)
	for _, keys := range ops {
		byKey, _ := keys.(map[string]any)
		for k, val := range byKey {
			if !isSecretKey(k) {
				continue
			}
			switch s := val.(type) {
			case string:
				*out = append(*out, s)
			case []any:
				for _, e := range s {
					if str, ok := e.(string); ok {
						*out = append(*out, str)
					}
				}
			}
		}
	}
}

func isSecretKey(k string) bool {
	for _, s := range secretConditionKeys {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}
