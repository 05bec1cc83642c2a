/**
 * Test vectors for every CUSTOM_ format, each from the platform's own source or
 * documentation (or the reference implementation it cites), with where it comes from.
 * `wrong` is a password that must NOT verify.
 */
import { CustomAlgorithm, type CustomAlgorithmId } from '../../../../src/password/formats/custom-algorithm.js';

export interface HashVector {
  readonly id: CustomAlgorithmId;
  readonly password: string;
  readonly hash: string;
  readonly salt?: string;
  readonly source: string;
}

// passlib's UPASS_TABLE and UPASS_LETMEIN (passlib/tests/test_handlers.py).
const UPASS_TABLE = 't\u00e1\u0411\u2113\u0259';
const LETMEIN = 'l\u00e8tmein';

export const FIREBASE_README_PARAMS = {
  signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  saltSeparator: 'Bw==',
  rounds: 8,
  memCost: 14,
} as const;

export const HASH_VECTORS: readonly HashVector[] = [
  // openwall phpass test.php ("A correct hash for test12345").
  { id: CustomAlgorithm.phpass, password: 'test12345', hash: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', source: 'openwall/phpass test.php' },
  // passlib phpass_test known_correct_hashes ($H$ = phpBB 3).
  { id: CustomAlgorithm.phpass, password: 'test1', hash: '$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00', source: 'passlib tests/test_handlers.py phpass_test' },
  { id: CustomAlgorithm.phpass, password: '123456', hash: '$H$9PE8jEklgZhgLmZl5.HYJAzfGCQtzi1', source: 'passlib tests/test_handlers.py phpass_test' },
  // Joomla tests/unit/suites/libraries/joomla/user/JUserHelperTest.php testVerifyPassword.
  { id: CustomAlgorithm.phpass, password: 'mySuperSecretPassword', hash: '$P$D6vpNa203LlaQUah3KcVQIhgFZ4E6o1', source: 'joomla-cms JUserHelperTest::testVerifyPassword' },
  // A class port of Drupal 7 includes/password.inc (kellerjmrtn/d7password README: hash('password')).
  { id: CustomAlgorithm.drupal7, password: 'password', hash: '$S$DI7p94K2RG7Nq2OJp2/T55TfjT/K8UYdDVSUELOgCNbNoHU2sdtq', source: 'Drupal 7 password.inc port, d7password README' },
  // A Django DrupalPasswordHasher's tests: a Drupal 7 $S$ hash, and one that Drupal's user_update_7000() re-hashed (U$).
  { id: CustomAlgorithm.drupal7, password: 'DifficultPassword123', hash: '$S$5FIcboyzv1ZD/OZDb4w/4HSlnsPlwbr/PWLWrHPWrJp8eXOQQaWJ', source: 'Django DrupalPasswordHasher test (Drupal 7+ hash)' },
  { id: CustomAlgorithm.drupal7, password: 'SimpleEasyPassword', hash: 'U$S$5I5Ht7YwxFRiMiJhBjyt42Ji2WRndX2dCx1jyktH92PeQp0xWdgi', source: 'Django DrupalPasswordHasher test (user_update_7000 U$ hash)' },
  // passlib ldap_md5_crypt test ({CRYPT} wraps a plain md5-crypt string).
  { id: CustomAlgorithm.md5Crypt, password: 'test', hash: '$1$ec6XvcoW$ghEtNK2U1MC5l.Dwgi3020', source: 'passlib tests/test_handlers.py _ldap_md5_crypt_test' },
  { id: CustomAlgorithm.md5Crypt, password: '', hash: '$1$dOHYPKoP$tnxS1T8Q6VVn3kpV8cN6o.', source: 'passlib tests/test_handlers.py _ldap_md5_crypt_test' },
  { id: CustomAlgorithm.md5Crypt, password: 'Compl3X AlphaNu3meric', hash: '$1$nX1e7EeI$ljQn72ZUgt6Wxd9hfvHdV0', source: 'passlib tests/test_handlers.py _ldap_md5_crypt_test' },
  // Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", test vectors (glibc crypt/sha256c-test.c, sha512c-test.c).
  { id: CustomAlgorithm.sha256Crypt, password: 'Hello world!', hash: '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA', source: 'SHA-crypt.txt / glibc sha256c-test.c' },
  { id: CustomAlgorithm.sha256Crypt, password: 'This is just a test', hash: '$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5', source: 'SHA-crypt.txt / glibc sha256c-test.c' },
  { id: CustomAlgorithm.sha512Crypt, password: 'Hello world!', hash: '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1', source: 'SHA-crypt.txt / glibc sha512c-test.c' },
  { id: CustomAlgorithm.sha512Crypt, password: 'Hello world!', hash: '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.', source: 'SHA-crypt.txt / glibc sha512c-test.c' },
  { id: CustomAlgorithm.sha512Crypt, password: 'This is just a test', hash: '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0', source: 'SHA-crypt.txt / glibc sha512c-test.c' },
  // passlib ldap_sha1_test / ldap_salted_sha1_test / ldap_salted_sha512_test.
  { id: CustomAlgorithm.ldapSha, password: 'helloworld', hash: '{SHA}at+xg6SiyUovktq1redipHiJpaE=', source: 'passlib tests/test_handlers.py ldap_sha1_test' },
  { id: CustomAlgorithm.ldapSha, password: UPASS_TABLE, hash: '{SHA}4FmyYo46Pi3glWed6YIsHRRm4PA=', source: 'passlib tests/test_handlers.py ldap_sha1_test' },
  { id: CustomAlgorithm.ldapSsha, password: 'testing123', hash: '{SSHA}0c0blFTXXNuAMHECS4uxrj3ZieMoWImr', source: 'passlib tests/test_handlers.py ldap_salted_sha1_test' },
  { id: CustomAlgorithm.ldapSsha, password: 'secret', hash: '{SSHA}0H+zTv8o4MR4H43n03eCsvw1luG8LdB7', source: 'passlib tests/test_handlers.py ldap_salted_sha1_test' },
  { id: CustomAlgorithm.ldapSsha, password: 'test', hash: '{SSHA}P90+qijSp8MJ1tN25j5o1PflUvlqjXHOGeOckw==', source: 'passlib tests/test_handlers.py ldap_salted_sha1_test (8-byte salt)' },
  // Ory Kratos identity import test (hash=SSHA256), an OpenLDAP-style {SSHA256} with a 4-byte salt.
  { id: CustomAlgorithm.ldapSsha256, password: 'test123', hash: '{SSHA256}czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMlx/7IK', source: 'ory/kratos identity handler test (SSHA256)' },
  { id: CustomAlgorithm.ldapSsha512, password: 'password', hash: '{SSHA512}f/lFQskkl7PdMsTGJxHZq8LDt/l+UqRMm6/pj4pV7/xZkcOaKCgvQqp+KCeXc/Vd4RY6vEHWn4y0DnFcQ6wgyv9fyxk=', source: 'passlib tests/test_handlers.py ldap_salted_sha512_test' },
  { id: CustomAlgorithm.ldapSsha512, password: 'toomanysecrets', hash: '{SSHA512}wExp4xjiCHS0zidJDC4UJq9EEeIebAQPJ1PWSwfhxWjfutI9XiiKuHm2AE41cEFfK+8HyI8bh+ztbczUGsvVFIgICWWPt7qu', source: 'passlib tests/test_handlers.py ldap_salted_sha512_test' },
  // passlib django_bcrypt_sha256_test ("generated via django 1.6 hasher"); the last one is > 72 bytes.
  { id: CustomAlgorithm.djangoBcryptSha256, password: '', hash: 'bcrypt_sha256$$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu', source: 'passlib tests/test_handlers_django.py django_bcrypt_sha256_test' },
  { id: CustomAlgorithm.djangoBcryptSha256, password: LETMEIN, hash: 'bcrypt_sha256$$2a$08$NDjSAIcas.EcoxCRiArvT.MkNiPYVhrsrnJsRkLueZOoV1bsQqlmC', source: 'passlib tests/test_handlers_django.py django_bcrypt_sha256_test' },
  { id: CustomAlgorithm.djangoBcryptSha256, password: UPASS_TABLE, hash: 'bcrypt_sha256$$2a$06$kCXUnRFQptGg491siDKNTu8RxjBGSjALHRuvhPYNFsa4Ea5d9M48u', source: 'passlib tests/test_handlers_django.py django_bcrypt_sha256_test' },
  { id: CustomAlgorithm.djangoBcryptSha256, password: 'abc123'.repeat(12) + 'qwr', hash: 'bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61Ocy0BEz1RK6xslSNi8PlaLX2pe7x/KQG', source: 'passlib tests/test_handlers_django.py django_bcrypt_sha256_test' },
  // Django tests/auth_tests/test_hashers.py TestUtilsHashPassScrypt.test_scrypt.
  { id: CustomAlgorithm.scrypt, password: LETMEIN, hash: 'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==', source: 'django tests/auth_tests/test_hashers.py test_scrypt' },
  // firebase/scrypt README example (project parameters FIREBASE_README_PARAMS).
  { id: CustomAlgorithm.firebaseScrypt, password: 'user1password', hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==', salt: '42xEC+ixf3L2lw==', source: 'firebase/scrypt README' },
  // Joomla JUserHelperTest: getCryptedPassword(.., 'myPassswordHasSalt', 'md5-hex'); Joomla 1.0 unsalted "hash:".
  { id: CustomAlgorithm.joomlaMd5, password: 'mySuperSecretPassword', hash: 'a334d9084fa0dc4ea5449afa047480e8:myPassswordHasSalt', source: 'joomla-cms JUserHelperTest::testGetCryptedPassword' },
  { id: CustomAlgorithm.joomlaMd5, password: 'test', hash: '098f6bcd4621d373cade4e832627b4f6:', source: 'joomla-cms JUserHelperTest::testVerifyPasswordWithNoSalt' },
  // Magento lib/internal/Magento/Framework/Encryption/Test/Unit/EncryptorTest.php.
  { id: CustomAlgorithm.magento2, password: 'password', hash: '67a1e09bb1f83f5007dc119c14d663aa:salt:0', source: 'magento2 EncryptorTest::validateHashDataProvider' },
  { id: CustomAlgorithm.magento2, password: 'password', hash: '13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322:salt:1', source: 'magento2 EncryptorTest::validateHashDataProvider' },
  { id: CustomAlgorithm.magento2, password: 'password', hash: 'a1c7fc88037b70c9be84d3ad12522c7888f647915db78f42eb572008422ba2fa:-----------random_salt----------:1', source: 'magento2 EncryptorTest::testGetHashRandomSaltDefaultLength' },
  // Magento 2.4 argon2id13 ("3_32_2_67108864") hashes from a Magento customer fixture and a
  // Magento-to-PHC converter's README (checked against Encryptor::getArgonHash).
  { id: CustomAlgorithm.magento2, password: 'Password@2022', hash: 'abf1de8d537a1270237b9b56c8db9c67aeece6d89639a64d5ffd7264262541ab:PNK7gwTSnTc9L8AXZEvgZQ4SA66qirus:3_32_2_67108864', source: 'Magento 2.4 customer fixture (USER_PASSWORD_HASH)' },
  { id: CustomAlgorithm.magento2, password: 'Password@', hash: 'ab5ebf8d273b085b6a60336198e0a5a2090fdc3e0606a678315c7274ab06e046:5PiKJRn28bBKoFMopMaaKuV47aJ6GzVg:3_32_2_67108864', source: 'magento_converter README (Magento 2 hash to $argon2id$)' },
  // Django test_hashers.py test_md5 / test_sha1: md5$salt$hex and sha1$salt$hex are digest(salt + password).
  { id: CustomAlgorithm.md5SaltPassword, password: LETMEIN, hash: '3f86d0d3d465b7b458c231bf3555c0e3', salt: 'seasalt', source: 'django tests/auth_tests/test_hashers.py test_md5' },
  { id: CustomAlgorithm.sha1SaltPassword, password: LETMEIN, hash: 'cff36ea83f5706ce9aa7454e63e431fc726b2dc8', salt: 'seasalt', source: 'django tests/auth_tests/test_hashers.py test_sha1' },
  // Joomla md5-hex is md5(password + salt).
  { id: CustomAlgorithm.md5PasswordSalt, password: 'mySuperSecretPassword', hash: 'a334d9084fa0dc4ea5449afa047480e8', salt: 'myPassswordHasSalt', source: 'joomla-cms JUserHelperTest::testGetCryptedPassword' },
  // The "abc" examples of RFC 1321 (MD5) and FIPS 180-4 (SHA-1, SHA-512), split into password and salt.
  { id: CustomAlgorithm.sha1PasswordSalt, password: 'a', hash: 'a9993e364706816aba3e25717850c26c9cd0d89d', salt: 'bc', source: 'FIPS 180-4 SHA-1("abc")' },
  { id: CustomAlgorithm.sha512PasswordSalt, password: 'ab', hash: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f', salt: 'c', source: 'FIPS 180-4 SHA-512("abc")' },
  { id: CustomAlgorithm.sha512SaltPassword, password: 'bc', hash: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f', salt: 'a', source: 'FIPS 180-4 SHA-512("abc")' },
  { id: CustomAlgorithm.md5SaltPassword, password: 'c', hash: '900150983cd24fb0d6963f7d28e17f72', salt: 'ab', source: 'RFC 1321 MD5("abc")' },
  // WordPress 6.8+ (wp-includes/pluggable.php wp_hash_password: '$wp' . password_hash(base64(hmac-sha384(pw, 'wp-sha384')))):
  // hashes WordPress 6.8 sites wrote, as published with their passwords (a PHP check script; a Laravel hasher's test).
  { id: CustomAlgorithm.wordpressBcrypt, password: 'password', hash: '$wp$2y$10$/ktG/bzsEU/Ag7umrbqsTeiSLAJ4IXWjA5ZaN/ZBjqQZ.oNDEP1Vm', source: 'a WordPress 6.8 hash of "password" (public check script)' },
  // Symfony MessageDigestPasswordHasher::hash (symfony/symfony src/Symfony/Component/PasswordHasher/Hasher/
  // MessageDigestPasswordHasher.php, defaults sha512/base64/5000, as FOSUserBundle's `sha512` encoder), run in
  // PHP 8.2 with its hash() and mergePasswordAndSalt() lines as written there; the salts are FOSUserBundle 1.x's
  // base_convert(sha1(uniqid(mt_rand(), true)), 16, 36) shape. An empty salt and "0" both mean none (PHP's !$salt).
  { id: CustomAlgorithm.symfonySha512, password: 'password', hash: 'dre2NmR0unP+1WRKqrYjg6gLKpfq4iFQtNdzyg8fD+HWXna1ehhxAjTUBMSFeNGhkA878ZkSD5INz9Wkd5Rhgg==', salt: 'sq7x6gxsl1wcg0sg4ckcc0wg0s8kko8', source: 'Symfony MessageDigestPasswordHasher in PHP 8.2' },
  { id: CustomAlgorithm.symfonySha512, password: 'p\u00e4ssw\u00f6rd', hash: 'PMmz7Jm4qjxp1b5jdXuJSrqg78jZneFxXraHNTYORHd7JI6f0R5F31bVKFMSNKU2Iw2nJyZpSJcNqsi7I9BAHg==', salt: '3f0jmlgoqdus4wcg0s8gkkgcwogs4c4', source: 'Symfony MessageDigestPasswordHasher in PHP 8.2' },
  { id: CustomAlgorithm.symfonySha512, password: 'secret', hash: 'wVB2qXZddKkmaOHErdQbepwTg//liY5ytnqjLQnEDAp3ZxZC5U11j8gpzVCK8ORnZv00O/7Zy/p/Fdum2OhDCQ==', salt: '0', source: 'Symfony MessageDigestPasswordHasher in PHP 8.2 (salt "0" is no salt)' },
  { id: CustomAlgorithm.symfonySha512, password: 's3cret-with-{braces}', hash: 'AUoweK6Urtq4uEMbede3H8wCsBExSD5kVvkUmGZMwCDWC4iMiRcHNzmwQ9UmfPppBSiD6/5kI/5cmMgsU+TuJQ==', salt: '9wwc0kks8wc0sgo40g4c84swk8swc4w', source: 'Symfony MessageDigestPasswordHasher in PHP 8.2' },
  { id: CustomAlgorithm.wordpressBcrypt, password: 'Na101918!', hash: '$wp$2y$10$y6/UfA/WhvVLZK6RxBSJE./L6YpJN8ChGg15a0Pqry/bTGsDuMR1q', source: 'a WordPress 6.8 hash in a Laravel WordPress-hasher test' },
];
