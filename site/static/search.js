// Suggestions as you type in the header's search box (find.go); the box
// is a plain form without it.
