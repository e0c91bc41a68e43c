package graph

import (
	"encoding/json"
	"slices"
	"strconv"
)

// AppendJSON appends obj (an entity or relationship) as encoding/json would
// marshal it — keys in byte order, the same escaping, byte for byte — without
// reflection for the values graph objects hold (strings, int64, bools, nulls,
// string lists); anything else is left to encoding/json. The sinks encode
// every object of a run, which made json.Marshal a large share of a run's CPU.
func AppendJSON(dst []byte, obj map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendJSONString(dst, k); err != nil {
			return nil, err
		}
		dst = append(dst, ':')
		if dst, err = appendJSONValue(dst, obj[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func appendJSONValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendJSONString(dst, x)
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSONString(dst, s); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	data, err := json.Marshal(v)
	return append(dst, data...), err
}

// appendJSONString writes plain printable ASCII as is; a string encoding/json
// would escape (quotes, backslashes, control characters, <, >, &, non-ASCII)
// is left to it.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			data, err := json.Marshal(s)
			return append(dst, data...), err
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), nil
}
