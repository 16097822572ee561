package transformers

// generatorDefinitions returns the generate_* transformers.
func generatorDefinitions() []*Definition {
	return []*Definition{
		boolGenerator(),
		businessNameGenerator(),
		cardNumberGenerator(),
		categoricalGenerator(),
		cityGenerator(),
		countryGenerator(),
		e164PhoneGenerator(),
		emailGenerator(),
		firstNameGenerator(),
		float64Generator(),
		fullAddressGenerator(),
		fullNameGenerator(),
		genderGenerator(),
		int64Generator(),
		int64PhoneGenerator(),
		ipAddressGenerator(),
		lastNameGenerator(),
		randomStringGenerator(),
		sha256HashGenerator(),
		ssnGenerator(),
		stateGenerator(),
		streetAddressGenerator(),
		stringPhoneGenerator(),
		unixTimestampGenerator(),
		usernameGenerator(),
		utcTimestampGenerator(),
		uuidGenerator(),
		zipcodeGenerator(),
	}
}
