// Package pipeline decides, for every data row of the inputs, whether its ID goes into
// the purge set, and why not when it does not. Run shows the whole job in one place.
package pipeline
