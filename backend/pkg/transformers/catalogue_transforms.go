package transformers

// transformDefinitions returns the transform_* transformers that map an input value.
func transformDefinitions() []*Definition {
	return []*Definition{
		e164PhoneTransform(),
		emailTransform(),
		firstNameTransform(),
		float64Transform(),
		fullNameTransform(),
		hashTransform(),
		int64PhoneTransform(),
		int64Transform(),
		lastNameTransform(),
		stringPhoneTransform(),
		stringTransform(),
	}
}
