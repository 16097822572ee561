package transformers

import "time"

// Generated timestamps fall in [timeRangeStart, timeRangeEnd): a fixed past
// range, so that outputs depend only on the random source.
var (
	timeRangeStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	timeRangeEnd   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

func unixTimestampGenerator() *Definition {
	return genDef("generate_unix_timestamp", "Generate Unix timestamp", "Generates a Unix time in seconds between 2000-01-01 and 2025-01-01 UTC.",
		TypeInt64, nil, staticBuild(func(c *Call) (any, error) {
			return randInt64Between(c.Rand, timeRangeStart, timeRangeEnd-1), nil
		}))
}

func utcTimestampGenerator() *Definition {
	return genDef("generate_utc_timestamp", "Generate UTC timestamp", "Generates a UTC time with microsecond precision between 2000-01-01 and 2025-01-01.",
		TypeTime, nil, staticBuild(func(c *Call) (any, error) {
			sec := randInt64Between(c.Rand, timeRangeStart, timeRangeEnd-1)
			return time.Unix(sec, int64(c.Rand.IntN(1_000_000))*1000).UTC(), nil
		}))
}
