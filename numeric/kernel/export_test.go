package kernel

// SqrtScaled exports sqrtScaled to the external tests.
var SqrtScaled = sqrtScaled
