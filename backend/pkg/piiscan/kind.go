package piiscan

// Kind names a kind of personal data.
type Kind string

// The kinds the scanner reports.
const (
	KindEmail       Kind = "email"
	KindPhone       Kind = "phone"
	KindCardNumber  Kind = "card_number"
	KindSSN         Kind = "ssn"
	KindIBAN        Kind = "iban"
	KindIPv4        Kind = "ipv4"
	KindIPv6        Kind = "ipv6"
	KindFirstName   Kind = "first_name"
	KindLastName    Kind = "last_name"
	KindFullName    Kind = "full_name"
	KindDateOfBirth Kind = "date_of_birth"
	KindFreeText    Kind = "free_text"
)

// StructuredKinds are the kinds recognised by format and checksum; the
// scanner's precision and recall targets are stated for them.
var StructuredKinds = []Kind{KindEmail, KindPhone, KindCardNumber, KindSSN, KindIBAN, KindIPv4, KindIPv6}

// IsStructured reports whether k is one of [StructuredKinds].
func (k Kind) IsStructured() bool {
	for _, s := range StructuredKinds {
		if s == k {
			return true
		}
	}
	return false
}

// Suggestion is a transformer that replaces a detected kind: a system
// transformer source and its configuration (parameter name to value, as a
// job mapping takes them).
type Suggestion struct {
	Source string         `json:"source"`
	Config map[string]any `json:"config,omitempty"`
}

// suggest returns the transformer for kind k in a column of class c.
func suggest(k Kind, c typeClass) Suggestion {
	numeric := c == classNumeric
	switch k {
	case KindEmail:
		return Suggestion{Source: "transform_email", Config: map[string]any{"preserve_domain": false, "invalid_email_action": "generate"}}
	case KindPhone:
		if numeric {
			return Suggestion{Source: "transform_int64_phone_number", Config: map[string]any{"preserve_length": true}}
		}
		return Suggestion{Source: "transform_character_scramble"}
	case KindCardNumber:
		if numeric {
			return Suggestion{Source: "generate_card_number", Config: map[string]any{"valid_luhn": true}}
		}
		return Suggestion{Source: "transform_character_scramble"}
	case KindSSN:
		if numeric {
			return Suggestion{Source: "transform_identity_scramble"}
		}
		return Suggestion{Source: "generate_ssn"}
	case KindIBAN:
		return Suggestion{Source: "transform_character_scramble"}
	case KindIPv4:
		return Suggestion{Source: "generate_ip_address", Config: map[string]any{"ip_type": "ipv4_public"}}
	case KindIPv6:
		return Suggestion{Source: "generate_ip_address", Config: map[string]any{"ip_type": "ipv6"}}
	case KindFirstName:
		return Suggestion{Source: "transform_first_name", Config: map[string]any{"preserve_length": false}}
	case KindLastName:
		return Suggestion{Source: "transform_last_name", Config: map[string]any{"preserve_length": false}}
	case KindFullName:
		return Suggestion{Source: "transform_full_name", Config: map[string]any{"preserve_length": false}}
	case KindDateOfBirth:
		return Suggestion{Source: "generate_utc_timestamp"}
	default: // free text
		return Suggestion{Source: "transform_string", Config: map[string]any{"preserve_length": true}}
	}
}
