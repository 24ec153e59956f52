// Which properties Graph returns when a request names none with $select. For most resources that
// is every property the v1.0 schema documents (navigation properties only with $expand); a few
// directory types document a smaller default set and return the rest "only on $select".

/** The user resource's default set (the rest only on $select). */
export const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** Types that return exactly these properties by default. */
export const DEFAULT_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'microsoft.graph.user': USER_DEFAULT_PROPERTIES,
};

/** Types that return every documented property by default except these ("Returned only on $select"). */
export const SELECT_ONLY_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'microsoft.graph.group': [
    'allowExternalSenders',
    'assignedLabels',
    'assignedLicenses',
    'autoSubscribeNewMembers',
    'hasMembersWithLicenseErrors',
    'hideFromAddressLists',
    'hideFromOutlookClients',
    'isArchived',
    'isSubscribedByMail',
    'licenseProcessingState',
    'unseenCount',
  ],
};
