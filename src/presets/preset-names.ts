/** The platforms `preset:` knows, one file each in this folder. */
export const PRESET_NAMES = ['django', 'wordpress', 'keycloak', 'aspnet-identity', 'drupal', 'drupal7', 'laravel', 'fosuserbundle', 'magento2', 'devise', 'joomla'] as const;

/** One of {@link PRESET_NAMES}. */
export type PresetName = (typeof PRESET_NAMES)[number];
