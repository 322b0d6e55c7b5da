/** The three groups the module serves; stored in user_roles.role. Never renamed. */
export const ROLES = ['staff', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Spanish names of the roles, for screens and messages. */
export const ROLE_LABELS: Record<Role, string> = {
  staff: 'Personal de salud',
  admin: 'Administrador',
  auditor: 'Auditor',
};

export type UserStatus = 'active' | 'disabled';
