//go:build race

package jsrunner

// raceDetector: the race runtime's shadow memory does not fit a runner's
// memory limit, so memory-limit tests skip under -race.
const raceDetector = true
