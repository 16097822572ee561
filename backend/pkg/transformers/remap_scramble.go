package transformers

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/neosyncio/neosync/backend/pkg/transformers/fpe"
)

const characterScrambleSource = "transform_character_scramble"

// characterScrambleDef scrambles letters and digits with a keyed bijection.
//
// It also covers remapping string keys (the transform_string_key of the
// design notes): with no regex it is a bijection of all strings of one
// length and character-class pattern, which is what a string-key remap
// needs, so there is no separate transformer.
func characterScrambleDef() *Definition {
	return &Definition{
		Source: characterScrambleSource,
		Name:   "Character scramble",
		Description: "Replaces ASCII letters with letters (keeping case) and digits with digits through a keyed bijection; " +
			"every other character stays. With a regex only the matching substrings are scrambled. Without a regex " +
			"(or with one whose matches depend only on character classes, such as [0-9]+) distinct strings stay " +
			"distinct, so it also remaps string keys; with a job key foreign keys still match.",
		Params: []Param{
			{Name: "user_provided_regex", Type: ParamString, Description: "Go (RE2) regular expression: only the substrings it matches are scrambled. Empty scrambles the whole value."},
		},
		InputTypes: []DataType{TypeString},
		Output:     TypeString,
		JobTypes:   []JobType{JobSync},
		Consistent: true,
		Build:      buildCharacterScramble,
	}
}

// ValidateRegex reports whether pattern is a valid Go (RE2) regular
// expression, as user_provided_regex requires.
func ValidateRegex(pattern string) error {
	_, err := regexp.Compile(pattern)
	return err
}

const (
	// scrambleBlock is the most scrambled characters one permutation covers;
	// longer values are scrambled block by block (block index in the tweak),
	// which keeps the cost linear in the length.
	scrambleBlock = 128
	// scrambleCacheSize bounds the cached permutations (one per shape).
	scrambleCacheSize = 4096
)

func buildCharacterScramble(p Params, o Options) (Func, error) {
	var re *regexp.Regexp
	if pat := p.String("user_provided_regex"); pat != "" {
		var err error
		if re, err = regexp.Compile(pat); err != nil {
			return nil, &ParamError{characterScrambleSource, "user_provided_regex", "invalid regular expression: " + err.Error()}
		}
	}
	s := &scrambler{keys: newRemapKey(o), re: re, perms: map[string]*fpe.RadixPermutation{}}
	return func(c *Call) (any, error) {
		str, ok := c.Value.(string)
		if !ok {
			return nil, &ValueError{Transformer: characterScrambleSource, Column: c.Column, Reason: fmt.Sprintf("unsupported input type %T", c.Value)}
		}
		return s.scramble(s.keys.key(c), str)
	}, nil
}

// scrambler is the state of one character-scramble instance.
type scrambler struct {
	keys  remapKey
	re    *regexp.Regexp
	key   []byte
	perms map[string]*fpe.RadixPermutation // by tweak
	// scratch
	pos     []int // byte offset of each scrambled character
	digits  []int
	radices []int
	tweak   []byte
}

// scrambleClass returns the radix of an ASCII letter or digit and its digit
// value, or radix 0 for characters that are kept.
func scrambleClass(b byte) (radix, digit int) {
	switch {
	case b >= 'a' && b <= 'z':
		return 26, int(b - 'a')
	case b >= 'A' && b <= 'Z':
		return 26, int(b - 'A')
	case b >= '0' && b <= '9':
		return 10, int(b - '0')
	}
	return 0, 0
}

// scramble maps str. The tweak of each permutation is derived from the
// string's shape: kept characters literally and a class marker for each
// scrambled one ("\x00a", "\x00A", "\x009"; a literal NUL is written
// "\x00\x00"), hashed, plus the block index. The output has the same shape,
// so the map is a bijection on each shape and therefore on all strings (when
// the scrambled positions are the same for input and output, which holds
// without a regex).
func (s *scrambler) scramble(key []byte, str string) (string, error) {
	if string(key) != string(s.key) {
		s.key = append(s.key[:0], key...)
		clear(s.perms)
	}
	s.readShape(str)
	if len(s.pos) == 0 {
		return str, nil
	}
	out := []byte(str)
	// The tweak is a hash of the shape (so that the cache keys of long values
	// stay small) followed by the block index.
	shape := sha256.Sum256(s.tweak)
	for start := 0; start < len(s.pos); start += scrambleBlock {
		end := min(start+scrambleBlock, len(s.pos))
		s.tweak = strconv.AppendInt(append(s.tweak[:0], shape[:]...), int64(start/scrambleBlock), 10)
		perm, err := s.permutation(key, start, end)
		if err != nil {
			return "", err
		}
		ds, err := perm.Permute(s.digits[start:end])
		if err != nil {
			return "", err
		}
		for j, d := range ds {
			at := s.pos[start+j]
			switch c := out[at]; {
			case c >= 'a':
				out[at] = byte('a' + d)
			case c >= 'A':
				out[at] = byte('A' + d)
			default:
				out[at] = byte('0' + d)
			}
		}
	}
	return string(out), nil
}

// readShape fills s.pos, s.digits and s.radices with the scrambled
// characters of str and s.tweak with its shape (see scramble).
func (s *scrambler) readShape(str string) {
	var spans [][]int
	if s.re != nil {
		spans = s.re.FindAllStringIndex(str, -1)
	} else {
		spans = [][]int{{0, len(str)}}
	}
	s.pos, s.digits, s.radices = s.pos[:0], s.digits[:0], s.radices[:0]
	s.tweak = s.tweak[:0]
	span := 0
	for i := 0; i < len(str); {
		for span < len(spans) && spans[span][1] <= i {
			span++
		}
		inSpan := span < len(spans) && spans[span][0] <= i && i < spans[span][1]
		b := str[i]
		if inSpan && b < utf8.RuneSelf {
			if radix, d := scrambleClass(b); radix != 0 {
				s.pos = append(s.pos, i)
				s.digits = append(s.digits, d)
				s.radices = append(s.radices, radix)
				marker := byte('9')
				if b >= 'a' {
					marker = 'a'
				} else if b >= 'A' {
					marker = 'A'
				}
				s.tweak = append(s.tweak, 0, marker)
				i++
				continue
			}
		}
		_, w := utf8.DecodeRuneInString(str[i:])
		if b == 0 {
			s.tweak = append(s.tweak, 0)
		}
		s.tweak = append(s.tweak, str[i:i+w]...)
		i += w
	}
}

// permutation is the permutation of the block [start, end) of scrambled
// characters under s.tweak, from the cache or built and cached.
func (s *scrambler) permutation(key []byte, start, end int) (*fpe.RadixPermutation, error) {
	if perm := s.perms[string(s.tweak)]; perm != nil {
		return perm, nil
	}
	perm, err := fpe.NewRadixPermutation(key, s.radices[start:end], s.tweak)
	if err != nil {
		return nil, err
	}
	if len(s.perms) >= scrambleCacheSize {
		clear(s.perms)
	}
	s.perms[string(s.tweak)] = perm
	return perm, nil
}
