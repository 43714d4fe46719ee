//! WeChat's request signatures and the safe mode (消息加解密) cipher. Pure: bytes in, bytes out.
//!
//! - Signature: SHA-1 (hex) of the parameters sorted as strings and concatenated — `token`,
//!   `timestamp`, `nonce` for `signature`, plus the `Encrypt` text for `msg_signature`.
//! - Cipher: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes,
//!   plaintext = 16 random bytes ‖ message length (u32, big-endian) ‖ message ‖ AppID,
//!   padded PKCS#7-style to a multiple of **32** bytes (WeChat's rule, not AES's 16).

use aes::Aes256;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::{alphabet, Engine as _};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use sha1::{Digest, Sha1};

/// WeChat pads to this block size (PKCS#7 with k = 32).
const PAD_BLOCK: usize = 32;

/// EncodingAESKeys are 43 characters of which the last carries 2 unused bits that WeChat does
/// not zero; the strict decoder would refuse real keys (the published one included).
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Why a key or a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The EncodingAESKey is not 43 base64 characters giving 32 bytes.
    #[error("the EncodingAESKey must be the 43 characters shown on the account's page")]
    BadKey,
    /// The ciphertext is not base64 or not whole blocks.
    #[error("the encrypted message is malformed")]
    Malformed,
    /// Decrypted, but the padding or length field is inconsistent (wrong key).
    #[error("the encrypted message does not decrypt with this key")]
    BadPlaintext,
    /// Decrypted for another account.
    #[error("the message was encrypted for another AppID")]
    WrongAppId,
}

/// The account's AES key, decoded from its EncodingAESKey. Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AesKey([u8; 32]);

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(<redacted>)")
    }
}

impl AesKey {
    /// Decodes the 43-character EncodingAESKey of the account settings.
    pub fn parse(encoding_aes_key: &str) -> Result<AesKey, CryptoError> {
        let key = encoding_aes_key.trim();
        if key.len() != 43 {
            return Err(CryptoError::BadKey);
        }
        let bytes = KEY_BASE64.decode(format!("{key}=")).map_err(|_| CryptoError::BadKey)?;
        let array: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(AesKey(array))
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.0[..16]);
        iv
    }
}

/// SHA-1 hex of `parts` sorted and concatenated: WeChat's `signature` and `msg_signature`.
pub fn signature(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let digest = Sha1::digest(sorted.concat().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the signature of `parts`. Compared in constant time so the check does
/// not reveal how many leading characters were right.
pub fn verify(given: &str, parts: &[&str]) -> bool {
    let expected = signature(parts);
    let given = given.trim().to_ascii_lowercase();
    given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Decrypts an `Encrypt` field and checks it was meant for `appid`; returns the message XML.
pub fn decrypt(key: &AesKey, encrypted: &str, appid: &str) -> Result<String, CryptoError> {
    let mut data = STANDARD.decode(encrypted.trim()).map_err(|_| CryptoError::Malformed)?;
    if data.is_empty() || data.len() % 16 != 0 {
        return Err(CryptoError::Malformed);
    }
    let plain = cbc::Decryptor::<Aes256>::new(&key.0.into(), &key.iv().into())
        .decrypt_padded_mut::<NoPadding>(&mut data)
        .map_err(|_| CryptoError::Malformed)?;
    let pad = usize::from(*plain.last().ok_or(CryptoError::BadPlaintext)?);
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(CryptoError::BadPlaintext);
    }
    let content = &plain[..plain.len() - pad];
    if content.len() < 20 {
        return Err(CryptoError::BadPlaintext);
    }
    let len = u32::from_be_bytes([content[16], content[17], content[18], content[19]]) as usize;
    let body = &content[20..];
    if len > body.len() {
        return Err(CryptoError::BadPlaintext);
    }
    let (message, from_appid) = body.split_at(len);
    if from_appid != appid.as_bytes() {
        return Err(CryptoError::WrongAppId);
    }
    // Authentic (the AppID matched): bytes that are not UTF-8 are the user's, and become
    // U+FFFD for the turn to drop and mention, rather than a refusal WeChat retries in vain.
    Ok(String::from_utf8_lossy(message).into_owned())
}

/// Encrypts `message` for `appid` with the given 16 random bytes (callers pass fresh random
/// bytes; tests pass the published ones to reproduce WeChat's example exactly).
pub fn encrypt(key: &AesKey, random: [u8; 16], message: &str, appid: &str) -> String {
    let mut plain = Vec::with_capacity(20 + message.len() + appid.len() + PAD_BLOCK);
    plain.extend_from_slice(&random);
    plain.extend_from_slice(&(message.len() as u32).to_be_bytes());
    plain.extend_from_slice(message.as_bytes());
    plain.extend_from_slice(appid.as_bytes());
    let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
    plain.extend(std::iter::repeat(pad as u8).take(pad));
    let cipher = cbc::Encryptor::<Aes256>::new(&key.0.into(), &key.iv().into())
        .encrypt_padded_vec_mut::<NoPadding>(&plain);
    STANDARD.encode(cipher)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of WeChat's message-encryption documentation, shipped with Tencent's official
    // sample code (WXBizMsgCrypt, `Sample.py` / `Sample.java`: token "spamtest", nonce
    // "1320562132", appid "wx2c2769f8efd9abc2", timestamp "1409735669", msg_sign "5d197aaf…").
    // The same vector is used by SDK test suites (e.g. wechatpy `tests/test_utils.py`
    // `test_msg_signature_relative`). The random prefix "89465c840c5f116f" and the plaintext are
    // what that ciphertext decrypts to.
    const TOKEN: &str = "spamtest";
    const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const APPID: &str = "wx2c2769f8efd9abc2";
    const TIMESTAMP: &str = "1409735669";
    const NONCE: &str = "1320562132";
    const MSG_SIGNATURE: &str = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
    const ENCRYPTED: &str = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";
    const PLAINTEXT: &str = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>";
    const RANDOM: &[u8; 16] = b"89465c840c5f116f";

    #[test]
    fn the_published_msg_signature_is_reproduced_and_a_changed_part_fails() {
        assert_eq!(signature(&[TOKEN, TIMESTAMP, NONCE, ENCRYPTED]), MSG_SIGNATURE);
        assert!(verify(MSG_SIGNATURE, &[TOKEN, TIMESTAMP, NONCE, ENCRYPTED]));
        assert!(!verify(MSG_SIGNATURE, &[TOKEN, "1409735670", NONCE, ENCRYPTED]));
        assert!(!verify("", &[TOKEN, TIMESTAMP, NONCE]));
    }

    #[test]
    fn the_plain_signature_sorts_token_timestamp_and_nonce() {
        // wechatpy tests/test_utils.py `test_callback_signature_relative`.
        assert_eq!(signature(&["789", "456", "123"]), "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
        assert_eq!(signature(&["123", "789", "456"]), signature(&["789", "456", "123"]));
    }

    #[test]
    fn the_published_ciphertext_decrypts_to_its_message() {
        let key = AesKey::parse(AES_KEY).unwrap();
        assert_eq!(decrypt(&key, ENCRYPTED, APPID).unwrap(), PLAINTEXT);
    }

    #[test]
    fn encrypting_with_the_published_random_bytes_gives_the_published_ciphertext() {
        let key = AesKey::parse(AES_KEY).unwrap();
        assert_eq!(encrypt(&key, *RANDOM, PLAINTEXT, APPID), ENCRYPTED);
    }

    #[test]
    fn another_appid_or_key_is_refused() {
        let key = AesKey::parse(AES_KEY).unwrap();
        assert_eq!(decrypt(&key, ENCRYPTED, "wx0000000000000000"), Err(CryptoError::WrongAppId));
        let other = AesKey::parse("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg").unwrap();
        assert!(decrypt(&other, ENCRYPTED, APPID).is_err());
        assert_eq!(decrypt(&key, "not base64!", APPID), Err(CryptoError::Malformed));
    }

    #[test]
    fn padding_is_to_32_bytes_and_round_trips_chinese() {
        let key = AesKey::parse(AES_KEY).unwrap();
        for message in ["", "好", &"门特".repeat(100)] {
            let encrypted = encrypt(&key, [7; 16], message, APPID);
            let bytes = STANDARD.decode(&encrypted).unwrap();
            assert_eq!(bytes.len() % 32, 0);
            assert_eq!(decrypt(&key, &encrypted, APPID).unwrap(), message);
        }
    }

    #[test]
    fn keys_of_the_wrong_length_are_refused_and_never_printed() {
        assert_eq!(AesKey::parse("short"), Err(CryptoError::BadKey));
        let key = AesKey::parse(AES_KEY).unwrap();
        assert!(!format!("{key:?}").contains("abc"));
    }
}
