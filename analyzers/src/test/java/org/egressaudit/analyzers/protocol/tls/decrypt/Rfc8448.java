package org.egressaudit.analyzers.protocol.tls.decrypt;

/**
 * Values of RFC 8448 section 3 (Simple 1-RTT Handshake, TLS_AES_128_GCM_SHA256): traffic secrets and the records
 * they protect, as test vectors.
 */
public final class Rfc8448 {
    public static final String CLIENT_HANDSHAKE_SECRET = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
    public static final String SERVER_HANDSHAKE_SECRET = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
    public static final String CLIENT_TRAFFIC_SECRET = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
    public static final String SERVER_TRAFFIC_SECRET = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

    /** The ServerHello record (plaintext). */
    public static final String SERVER_HELLO_RECORD = "160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb"
            + "1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1"
            + "b04e751f0f002b00020304";
    /** EncryptedExtensions, Certificate, CertificateVerify, Finished in one record under the server handshake key. */
    public static final String SERVER_FLIGHT_RECORD = "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35e"
            + "df7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7f"
            + "c78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122"
            + "a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4"
            + "fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8"
            + "9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf95"
            + "38d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce34"
            + "3117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f2"
            + "52107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4"
            + "61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48"
            + "a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10"
            + "dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504d"
            + "e93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631"
            + "ede42c1719bfdabf0253fe5175be898e750edc53370d2b";
    /** The first 44 plaintext bytes of that flight: EncryptedExtensions and the Certificate header. */
    public static final String SERVER_FLIGHT_START = "080000240022000a00140012001d00170018001901000101010201030104001c"
            + "00024001000000000b0001b9";
    public static final String CLIENT_FINISHED_RECORD = "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc"
            + "44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546";
    public static final String CLIENT_FINISHED = "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";
    /** Application data 00 01 .. 31 (50 bytes), client and server. */
    public static final String CLIENT_DATA_RECORD = "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b98"
            + "19a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
    public static final String SERVER_DATA_RECORD = "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30e"
            + "faf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";
    /** close_notify alerts (01 00). */
    public static final String CLIENT_ALERT_RECORD = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
    public static final String SERVER_ALERT_RECORD = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";

    private Rfc8448() {
    }
}
