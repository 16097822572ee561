//go:build !race

package jsrunner

const raceDetector = false
