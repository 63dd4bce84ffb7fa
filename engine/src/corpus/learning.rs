//! Learning from staff decisions: replaying them against the current weights
//! ([`Corpus::replay_decisions`]) and fitting the weights to them
//! ([`Corpus::tune`]).
