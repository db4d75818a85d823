/** The words of co-op control that travel on the wire: roles, control modes, instruction rules. */

/** A host is a player who may also set the mode, rule on proposals, hand off and close. */
export const ROLES = ['host', 'player', 'spectator'] as const;
export type Role = (typeof ROLES)[number];

/** The four ways a room can steer its one world. */
export const CONTROL_MODES = ['solo', 'round-robin', 'democracy', 'anarchy'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

/** 'host': the host approves or rejects proposals; 'vote': a majority of voters approves. */
export const INSTRUCTION_RULES = ['host', 'vote'] as const;
export type InstructionRule = (typeof INSTRUCTION_RULES)[number];
