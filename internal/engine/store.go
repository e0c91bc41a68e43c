package engine

import (
	"encoding/binary"
	"math"
	"strings"
	"unsafe"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// The job keeps each graph object encoded in one immutable string instead of
// a map[string]any: a map of 20-50 boxed values costs 2-4 KB and every
// pointer in it is scanned by each garbage collection, while the encoding
// holds property names as ids into the job's string table, strings inline,
// and a relationship's endpoints as the index of the entity whose key they
// are. Reads decode a fresh map, so no reader can see (or cause) a change
// to an object another step holds. Values of a kind the encoding does not
// know (a *graph.Mapping, nested maps) are kept as they are in job.other.

const (
	vNil      = iota
	vString   // uvarint length, bytes
	vInterned // uvarint id into the string table
	vTrue
	vFalse
	vInt     // zigzag varint int64
	vFloat   // 8 bytes, IEEE 754 little-endian
	vStrings // uvarint count, then each element as vString or vInterned
	vEntity  // uvarint entity index: that entity's key
	vRelKey  // graph.RelationshipKey(_fromEntityKey, _class, _toEntityKey)
	vOther   // uvarint index into job.other
	vDeleted // (a patch) the property was removed
)

// deleted marks, in a patch, a property SetProperties removed.
type deleted struct{}

// codec is the per-job part of the encoding: the string table and the
// values kept as they are. It is guarded by the job's mutex and dropped with
// the job, so nothing grows across the jobs of one process.
type codec struct {
	strs  []string
	ids   map[string]uint32
	other []any
	arena []byte
	buf   []byte
}

func (c *codec) intern(s string) uint32 {
	if id, ok := c.ids[s]; ok {
		return id
	}
	if c.ids == nil {
		c.ids = map[string]uint32{}
	}
	s = strings.Clone(s) // the table must not pin the caller's larger string
	id := uint32(len(c.strs))
	c.strs = append(c.strs, s)
	c.ids[s] = id
	return id
}

// store copies b into the arena (large no-pointer blocks the collector does
// not scan) and returns it as a string that is never modified.
func (c *codec) store(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(c.arena)-len(c.arena) {
		size := min(max(2*cap(c.arena), 4<<10), 1<<20)
		c.arena = make([]byte, 0, max(size, len(b)))
	}
	start := len(c.arena)
	c.arena = append(c.arena, b...)
	return unsafe.String(&c.arena[start], len(b))
}

// internedValue reports whether a string property's values come from a
// small set (types, classes, a relationship's verb), worth one table entry.
func internedValue(prop string, rel bool) bool {
	return prop == "_type" || prop == "_class" || (rel && prop == "displayName")
}

// encode encodes an object with _key first; entityIndex resolves a
// relationship's endpoint keys (nil for entities).
func (c *codec) encode(obj map[string]any, rel bool, entityIndex func(string) (uint32, bool)) string {
	b := c.buf[:0]
	b = binary.AppendUvarint(b, uint64(len(obj)))
	key, _ := obj["_key"].(string)
	if rel && isDerivedKey(obj, key) {
		b = binary.AppendUvarint(b, uint64(c.intern("_key")))
		b = append(b, vRelKey)
	} else {
		b = c.appendProp(b, "_key", obj["_key"], rel, nil)
	}
	for p, v := range obj {
		if p != "_key" {
			b = c.appendProp(b, p, v, rel, entityIndex)
		}
	}
	c.buf = b
	return c.store(b)
}

// isDerivedKey reports whether a relationship's key is the one
// graph.RelationshipKey gives its endpoints and class, so it need not be stored.
func isDerivedKey(obj map[string]any, key string) bool {
	from, ok1 := obj["_fromEntityKey"].(string)
	to, ok2 := obj["_toEntityKey"].(string)
	class, ok3 := obj["_class"].(string)
	return ok1 && ok2 && ok3 && key != "" && key == graph.RelationshipKey(from, class, to)
}

func (c *codec) appendProp(b []byte, p string, v any, rel bool, entityIndex func(string) (uint32, bool)) []byte {
	b = binary.AppendUvarint(b, uint64(c.intern(p)))
	switch x := v.(type) {
	case nil:
		return append(b, vNil)
	case string:
		if entityIndex != nil && (p == "_fromEntityKey" || p == "_toEntityKey") {
			if i, ok := entityIndex(x); ok {
				return binary.AppendUvarint(append(b, vEntity), uint64(i))
			}
		}
		return c.appendString(b, x, internedValue(p, rel))
	case bool:
		if x {
			return append(b, vTrue)
		}
		return append(b, vFalse)
	case int64:
		return binary.AppendVarint(append(b, vInt), x)
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, vFloat), math.Float64bits(x))
	case deleted:
		return append(b, vDeleted)
	case []string:
		if x != nil {
			b = binary.AppendUvarint(append(b, vStrings), uint64(len(x)))
			for _, s := range x {
				b = c.appendString(b, s, internedValue(p, rel))
			}
			return b
		}
	}
	c.other = append(c.other, v)
	return binary.AppendUvarint(append(b, vOther), uint64(len(c.other)-1))
}

func (c *codec) appendString(b []byte, s string, intern bool) []byte {
	if intern {
		return binary.AppendUvarint(append(b, vInterned), uint64(c.intern(s)))
	}
	return append(binary.AppendUvarint(append(b, vString), uint64(len(s))), s...)
}

// reader walks one encoding.
type reader struct {
	s string
	i int
}

func (r *reader) uvarint() uint64 {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		c := r.s[r.i]
		r.i++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *reader) str() string {
	n := int(r.uvarint())
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

// decode rebuilds the object; entityKey gives an entity's key by index.
// patch, when not "", holds properties set (or removed) since enc.
func (c *codec) decode(enc, patch string, entityKey func(uint32) string) map[string]any {
	r := &reader{s: enc}
	n := int(r.uvarint())
	var p *reader
	if patch != "" {
		p = &reader{s: patch}
		n += int(p.uvarint())
	}
	out := make(map[string]any, n)
	for r.i < len(r.s) {
		name := c.strs[r.uvarint()]
		out[name] = c.value(r, entityKey)
	}
	for p != nil && p.i < len(p.s) {
		name := c.strs[p.uvarint()]
		if v := c.value(p, entityKey); v == (deleted{}) {
			delete(out, name)
		} else {
			out[name] = v
		}
	}
	return out
}

// encodePatch encodes properties set or removed (deleted{}) since an
// entity's encoding: a derived step changes a few properties of many
// entities, which need not be stored again whole.
func (c *codec) encodePatch(props map[string]any) string {
	b := binary.AppendUvarint(c.buf[:0], uint64(len(props)))
	for p, v := range props {
		b = c.appendProp(b, p, v, false, nil)
	}
	c.buf = b
	return c.store(b)
}

// value decodes one value.
func (c *codec) value(r *reader, entityKey func(uint32) string) any {
	t := r.s[r.i]
	r.i++
	switch t {
	case vNil:
		return nil
	case vString:
		return r.str()
	case vInterned:
		return c.strs[r.uvarint()]
	case vTrue:
		return true
	case vFalse:
		return false
	case vInt:
		return r.varint()
	case vFloat:
		var u uint64
		for k := range 8 {
			u |= uint64(r.s[r.i+k]) << (8 * k)
		}
		r.i += 8
		return math.Float64frombits(u)
	case vStrings:
		out := make([]string, r.uvarint())
		for i := range out {
			out[i], _ = c.value(r, entityKey).(string)
		}
		return out
	case vEntity:
		return entityKey(uint32(r.uvarint()))
	case vRelKey:
		return c.derivedKey(r, entityKey)
	case vDeleted:
		return deleted{}
	default:
		return c.other[r.uvarint()]
	}
}

// derivedKey reads ahead for the endpoints and class of a relationship
// whose key is derived from them, without moving r.
func (c *codec) derivedKey(r *reader, entityKey func(uint32) string) string {
	ahead := &reader{s: r.s, i: r.i}
	var from, to, class string
	for ahead.i < len(ahead.s) {
		p := c.strs[ahead.uvarint()]
		v, _ := c.value(ahead, entityKey).(string)
		switch p {
		case "_fromEntityKey":
			from = v
		case "_toEntityKey":
			to = v
		case "_class":
			class = v
		}
	}
	return graph.RelationshipKey(from, class, to)
}

// firstString decodes the first property (_key) of an encoding; it is
// stored inline for entities, so the returned string shares the arena.
func (c *codec) firstString(enc string, entityKey func(uint32) string) string {
	r := &reader{s: enc}
	r.uvarint() // property count
	r.uvarint() // "_key"
	if r.s[r.i] == vRelKey {
		r.i++
		return c.derivedKey(r, entityKey)
	}
	s, _ := c.value(r, entityKey).(string)
	return s
}
